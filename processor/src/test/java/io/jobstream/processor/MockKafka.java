package io.jobstream.processor;

import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka's fakes wired into a processor: a {@link MockConsumer} on the queue and a {@link MockProducer}. */
final class MockKafka {
    static final String QUEUE = "jobs";
    static final KafkaSettings KAFKA =
            KafkaSettings.builder().bootstrapServers("localhost:9092").build();

    final TestConsumer consumer;
    final MockProducer<byte[], byte[]> producer;
    private final JobSerde<Job> jobSerde = JobSerde.forJob(SerdeConfig.singleObject());
    private final JobSerde<JobFailure> failureSerde = JobSerde.forFailure(SerdeConfig.singleObject());
    private final JobSerde<JobEvent> eventSerde = JobSerde.forEvent(SerdeConfig.singleObject());
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

    MockKafka(boolean autoCompleteProducer) {
        this(autoCompleteProducer, true);
    }

    /** With {@code outputTopicsExist} false, the broker knows {@code <queue>.failed} but no {@code <queue>.events} and no delay tier. */
    MockKafka(boolean autoCompleteProducer, boolean outputTopicsExist) {
        consumer = new TestConsumer(outputTopicsExist);
        producer = new MockProducer<>(autoCompleteProducer, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static ProcessorConfig.Builder config() {
        return ProcessorConfig.builder(QUEUE, KAFKA)
                .commitInterval(Duration.ofMillis(10))
                .events(EventLevel.NONE) // tests of events turn them on
                .workerId("worker-1");
    }

    JobProcessor.Builder builder(ProcessorConfig config) {
        return JobProcessor.builder(config).kafkaClients(props -> consumer, props -> producer);
    }

    static TopicPartition partition(int n) {
        return new TopicPartition(QUEUE, n);
    }

    /** Assigns {@code partitions} on the poll thread and waits until the consumer has them. */
    void assign(TopicPartition... partitions) {
        Map<TopicPartition, Long> beginning = new HashMap<>();
        for (TopicPartition tp : partitions) {
            beginning.put(tp, 0L);
            nextOffset.putIfAbsent(tp, 0L);
        }
        consumer.updateBeginningOffsets(beginning);
        List<TopicPartition> assignment = List.of(partitions);
        consumer.schedulePollTask(() -> consumer.rebalance(assignment));
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignment().equals(Set.copyOf(assignment)));
    }

    /** Appends a record; returns its offset. */
    synchronized long add(TopicPartition tp, byte[] key, byte[] value) {
        long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
        consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, value));
        consumer.updateEndOffsets(Map.of(tp, offset + 1));
        return offset;
    }

    /**
     * Appends {@code count} offsets a {@code read_committed} consumer never returns (records of an aborted transaction,
     * a transaction's commit or abort marker): the consumer's position moves past them without a record.
     */
    synchronized void addInvisible(TopicPartition tp, int count) {
        for (int i = 0; i < count; i++) {
            long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
            consumer.addInvisible(tp, offset);
            consumer.updateEndOffsets(Map.of(tp, offset + 1));
        }
    }

    /** Appends a job of {@code type} with a JSON payload, keyed by {@code key}; returns its offset. */
    long addJob(TopicPartition tp, String key, String type, String json) {
        return add(
                tp,
                key.getBytes(StandardCharsets.UTF_8),
                encode(job(key, type, json).build()));
    }

    static Job.Builder job(String key, String type, String json) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setOrderingKey(key)
                .setCreatedAt(Instant.now());
    }

    byte[] encode(Job job) {
        return jobSerde.encode(QUEUE, job);
    }

    /** The last offset of {@code tp} the processor committed, or -1. */
    long committed(TopicPartition tp) {
        return consumer.commits.getOrDefault(tp, -1L);
    }

    /** The failure records written so far. */
    List<JobFailure> failures() {
        return producer.history().stream()
                .filter(r -> r.topic().equals(Topics.failed(QUEUE)))
                .map(r -> failureSerde.decode(r.topic(), r.headers(), r.value()))
                .toList();
    }

    /** The records written to {@code topic} so far. */
    List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> written(String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** The jobs written to {@code topic} (a delay tier) so far. */
    List<Job> jobsWritten(String topic) {
        return written(topic).stream()
                .map(r -> jobSerde.decode(r.topic(), r.headers(), r.value()))
                .toList();
    }

    /** The events written to {@code <queue>.events} so far. */
    List<JobEvent> events() {
        return written(Topics.events(QUEUE)).stream()
                .map(r -> eventSerde.decode(r.topic(), r.headers(), r.value()))
                .toList();
    }

    /**
     * A MockConsumer whose empty polls park briefly, as a real poll blocks, so the loop does not spin, and that skips
     * offsets a {@code read_committed} consumer never returns as the real one does: its position moves past them and
     * the poll reports the new position in {@link ConsumerRecords#nextOffsets()}, with or without records.
     */
    static final class TestConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();
        /** What the consumer's {@code last-heartbeat-seconds-ago} reads: -1 (none sent yet) unless a test sets it. */
        final java.util.concurrent.atomic.AtomicLong heartbeatSecondsAgo =
                new java.util.concurrent.atomic.AtomicLong(-1);
        /** What the consumer's {@code heartbeat-total} (answers to heartbeats) reads. */
        final java.util.concurrent.atomic.AtomicLong heartbeatAnswers = new java.util.concurrent.atomic.AtomicLong();

        private final Map<TopicPartition, NavigableSet<Long>> invisible = new HashMap<>();

        TestConsumer(boolean outputTopicsExist) {
            super("earliest");
            // the topics a processor writes to (checked at start)
            for (String topic : outputTopicsExist
                    ? List.of(Topics.failed(QUEUE), Topics.events(QUEUE), Topics.delay(QUEUE, Duration.ofSeconds(1)))
                    : List.of(Topics.failed(QUEUE))) {
                updatePartitions(topic, List.of(new PartitionInfo(topic, 0, null, null, null)));
            }
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            super.commitSync(offsets, timeout);
            offsets.forEach((tp, offset) -> commits.put(tp, offset.offset()));
        }

        @Override
        public synchronized void commitAsync(
                Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            super.commitAsync(offsets, callback);
            offsets.forEach((tp, offset) -> commits.put(tp, offset.offset()));
        }

        @Override
        public synchronized Map<MetricName, ? extends Metric> metrics() {
            MetricName name = new MetricName(
                    "last-heartbeat-seconds-ago",
                    "consumer-coordinator-metrics",
                    "The number of seconds since the last coordinator heartbeat was sent",
                    Map.of());
            MetricName answers = new MetricName(
                    "heartbeat-total", "consumer-coordinator-metrics", "The total number of heartbeats", Map.of());
            return Map.of(name, gauge(name, heartbeatSecondsAgo), answers, gauge(answers, heartbeatAnswers));
        }

        private static Metric gauge(MetricName name, java.util.concurrent.atomic.AtomicLong value) {
            return new Metric() {
                @Override
                public MetricName metricName() {
                    return name;
                }

                @Override
                public Object metricValue() {
                    return (double) value.get();
                }
            };
        }

        synchronized void addInvisible(TopicPartition tp, long offset) {
            invisible.computeIfAbsent(tp, p -> new TreeSet<>()).add(offset);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(records.nextOffsets());
            for (Map.Entry<TopicPartition, NavigableSet<Long>> entry : invisible.entrySet()) {
                TopicPartition tp = entry.getKey();
                if (!assignment().contains(tp) || paused().contains(tp)) {
                    continue;
                }
                long position = position(tp);
                NavigableSet<Long> offsets = entry.getValue();
                offsets.headSet(position, false).clear();
                long advanced = position;
                while (offsets.remove(advanced)) {
                    advanced++;
                }
                if (advanced > position) {
                    seek(tp, advanced);
                    next.put(tp, new OffsetAndMetadata(advanced));
                }
            }
            if (!next.equals(records.nextOffsets())) {
                Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
                records.partitions().forEach(tp -> byPartition.put(tp, records.records(tp)));
                return new ConsumerRecords<>(byPartition, next);
            }
            if (records.isEmpty() && !timeout.isZero()) {
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
            return records;
        }
    }
}
