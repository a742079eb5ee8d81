package io.jobstream.dlq.alert.internal;

import io.jobstream.dlq.alert.AlertAggregator;
import io.jobstream.dlq.alert.AlertKey;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the committed ({@code read_committed}) dead letters of the served queues' {@code <queue>.dlq} topics in the
 * consumer group {@value #GROUP} and hands each to the {@link AlertAggregator}. A new group starts at the end (no
 * alerts for old dead letters); offsets are auto-committed, so a crash may lose the alerts of dead letters read in
 * the last few seconds (best effort, see the README).
 *
 * <p>Threading: owns its consumer on its own thread ({@code jobstream-dlq-alert-feed}); {@link #close(Duration)}
 * from any thread.
 */
public final class DeadLetterFeed implements AutoCloseable {
    /** The consumer group of the alert feed. */
    public static final String GROUP = Names.DLQ_ALERTS_GROUP;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFeed.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaMeters.Binding kafkaMeters;
    private final JobSerde<DeadLetter> deadLetters;
    private final AlertAggregator aggregator;
    private final Map<String, String> queueOfTopic = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public DeadLetterFeed(
            List<String> queues,
            KafkaSettings kafka,
            SerdeConfig serdes,
            AlertAggregator aggregator,
            MeterRegistry registry) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.kafkaMeters = KafkaMeters.bind(registry, consumer);
        this.deadLetters = JobSerde.forDeadLetter(serdes);
        this.aggregator = aggregator;
        for (String queue : queues) {
            queueOfTopic.put(Topics.dlq(queue), queue);
        }
        consumer.subscribe(List.copyOf(queueOfTopic.keySet()));
        this.thread = Thread.ofPlatform()
                .name("jobstream-dlq-alert-feed")
                .daemon(true)
                .unstarted(this::run);
    }

    /** Starts reading. */
    public DeadLetterFeed start() {
        thread.start();
        return this;
    }

    /** Whether the feed's thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                        feed(record);
                    }
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    LOG.warn("dead-letter alert feed poll failed; retrying", e);
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            kafkaMeters.close();
            deadLetters.close();
        }
    }

    private void feed(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        String queue = queueOfTopic.getOrDefault(record.topic(), record.topic());
        try {
            DeadLetter letter = deadLetters.decode(record.topic(), record.headers(), record.value());
            JobFailure last = letter.getLastFailure();
            Job job = last.getJob().orElse(null);
            AlertKey key = new AlertKey(
                    queue,
                    job == null ? "unknown" : job.getType(),
                    last.getReason().name(),
                    last.getErrorClass().orElse(""));
            aggregator.onDeadLetter(key, job == null ? "unknown" : job.getId(), last.getMessage());
        } catch (JobDecodeException e) {
            LOG.warn(
                    "undecodable dead letter topic={} partition={} offset={}; alerting it as unknown",
                    record.topic(),
                    record.partition(),
                    record.offset());
            aggregator.onDeadLetter(
                    new AlertKey(
                            queue,
                            "unknown",
                            "UNDECODABLE_DEAD_LETTER",
                            e.getClass().getName()),
                    "unknown",
                    String.valueOf(e.getMessage()));
        }
    }

    /** Stops reading, waiting up to {@code timeout}. */
    public boolean close(Duration timeout) {
        running = false;
        consumer.wakeup();
        try {
            return thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IllegalThreadStateException notStarted) {
            return true;
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
