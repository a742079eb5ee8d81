package io.jobstream.scheduler.internal;

import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fired-tick record in Kafka: a compacted marker topic keyed by schedule name whose value is the schedule's last
 * fired tick (ISO-8601), written in one transaction with the tick's job. Every scheduler replica of a deployment uses
 * the transactional id {@code jobstream-scheduler.<marker topic>}, so {@link #open()} ({@code initTransactions})
 * fences the previous leader's producer and rolls back (or lets finish) its unfinished transaction before the markers
 * are read with {@code read_committed}: what the new leader reads is exactly what was fired.
 *
 * <p>After a failed {@link #fire} the producer is closed; the next {@link #open()} learns whether the write happened.
 * What can never work as it is throws {@link TickLogUnusableException}: an existing marker topic that is not compacted
 * (checked at the first open), credentials refused for the transactional id or a topic, brokers without transactions.
 * Not thread-safe (the scheduler's thread).
 */
public final class KafkaTickLog implements TickLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTickLog.class);
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings kafka;
    private final String markerTopic;
    private final JobSerde<Job> serde;
    private final int maxRequestSize;
    private Producer<String, byte[]> producer;
    private boolean topicChecked;
    private final MeterRegistry registry;
    private KafkaMeters.Binding producerMeters = () -> {};

    /**
     * @param markerTopic the compacted topic holding each schedule's last fired tick; created when missing
     * @param maxRequestSize the producer's {@code max.request.size} unless a raw property sets it
     * @param registry where the producer's own metrics go while it is open ({@link KafkaMeters})
     */
    public KafkaTickLog(
            KafkaSettings kafka, String markerTopic, SerdeConfig serde, int maxRequestSize, MeterRegistry registry) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.markerTopic = Objects.requireNonNull(markerTopic, "markerTopic");
        this.serde = JobSerde.forJob(Objects.requireNonNull(serde, "serde"));
        this.maxRequestSize = maxRequestSize;
    }

    /** The transactional id every replica using {@code markerTopic} shares. */
    public static String transactionalId(String markerTopic) {
        return Names.schedulerTransactionalId(markerTopic);
    }

    @Override
    public Map<String, Instant> open() throws Exception {
        closeProducer();
        if (!topicChecked) {
            try {
                createMarkerTopic();
            } catch (ExecutionException e) {
                if (unusable(e) instanceof TickLogUnusableException unusable) {
                    throw unusable;
                }
                throw e;
            }
            topicChecked = true;
        }
        Map<String, Object> properties = new HashMap<>(kafka.producerProperties());
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(markerTopic));
        properties.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestSize);
        Producer<String, byte[]> opened =
                new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        try {
            opened.initTransactions(); // fences the previous writer; its open transaction is completed or aborted
            Map<String, Instant> fired = readMarkers();
            producer = opened;
            producerMeters = KafkaMeters.bind(registry, opened);
            return fired;
        } catch (RuntimeException e) {
            opened.close(Duration.ZERO);
            throw unusableIfFatal(e);
        }
    }

    @Override
    public void fire(String schedule, Instant tick, String queue, Job job) {
        if (producer == null) {
            throw new IllegalStateException("the tick log is not open");
        }
        byte[] value = serde.encode(queue, job);
        String key = job.getOrderingKey().orElse(job.getId());
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(queue, key, value));
            producer.send(
                    new ProducerRecord<>(markerTopic, schedule, tick.toString().getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // Fenced, failed or timed out: the outcome is settled by the next open() (initTransactions).
            closeProducer();
            throw unusableIfFatal(e);
        }
    }

    private Map<String, Instant> readMarkers() throws TimeoutException {
        Map<String, Object> properties = new HashMap<>(kafka.consumerProperties());
        properties.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Instant> fired = new HashMap<>();
        long deadline = System.nanoTime() + OPEN_TIMEOUT.toNanos();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(markerTopic, OPEN_TIMEOUT).stream()
                    .map(p -> new TopicPartition(markerTopic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, OPEN_TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p, OPEN_TIMEOUT) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + markerTopic + " took longer than " + OPEN_TIMEOUT);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        fired.remove(record.key());
                    } else {
                        fired.put(record.key(), Instant.parse(record.value()));
                    }
                }
            }
        }
        return fired;
    }

    /**
     * {@code e} as a {@link TickLogUnusableException} when trying again cannot help (the credentials are refused for
     * the transactional id or a topic, the brokers do not support transactions), else {@code e} itself. A fenced
     * producer is not fatal here: replicas fence each other by design.
     */
    private RuntimeException unusableIfFatal(RuntimeException e) {
        return unusable(e) instanceof TickLogUnusableException unusable ? unusable : e;
    }

    private Throwable unusable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException || t instanceof UnsupportedVersionException) {
                return new TickLogUnusableException("the tick log on " + markerTopic + " is refused for good: " + t, e);
            }
        }
        return e;
    }

    private void createMarkerTopic() throws Exception {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            int brokers = admin.describeCluster()
                    .nodes()
                    .get(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .size();
            short replication = (short) Math.max(1, Math.min(3, brokers));
            NewTopic topic = new NewTopic(markerTopic, 1, replication)
                    .configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                            Integer.toString(Math.min(2, replication))));
            try {
                admin.createTopics(List.of(topic)).all().get(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                checkCompacted(admin);
            }
        }
    }

    /** An existing marker topic must be compacted, or the markers (and with them the record of fired ticks) expire. */
    private void checkCompacted(Admin admin) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, markerTopic);
        org.apache.kafka.clients.admin.Config config;
        try {
            config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                // the check needs DescribeConfigs on the topic; without it the scheduler works, unchecked
                LOG.warn(
                        "scheduler cannot check its marker topic's cleanup.policy topic={} error={}",
                        markerTopic,
                        e.getCause().toString());
                return;
            }
            throw e;
        }
        ConfigEntry policy = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        String value = policy == null || policy.value() == null ? "" : policy.value();
        if (!List.of(value.replace(" ", "").split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new TickLogUnusableException("the marker topic " + markerTopic + " has "
                    + TopicConfig.CLEANUP_POLICY_CONFIG + "=" + value + "; it must be "
                    + TopicConfig.CLEANUP_POLICY_COMPACT + ", or the record of fired ticks expires and ticks fire"
                    + " twice (delete the topic to let the scheduler create it, or change its policy)");
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
            producerMeters.close();
        }
    }

    @Override
    public void close() {
        closeProducer();
        serde.close();
    }
}
