package io.jobstream.processor.internal;

import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the runner's parts are tested with: Kafka's {@link MockProducer}, queue {@value #QUEUE}'s settings, meters, a
 * fixed clock, fetched records, and the completions handed back to the poll thread.
 */
final class RunnerFixture {
    static final String QUEUE = "jobs";
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final KafkaSettings KAFKA =
            KafkaSettings.builder().bootstrapServers("localhost:9092").build();

    final MockProducer<byte[], byte[]> producer;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final ProcessorMetrics metrics = new ProcessorMetrics(registry, QUEUE, clock);
    final Abandonment abandonment = new Abandonment();
    /** Every completion handed to {@link #done}, in order. */
    final List<Completion> completions = new CopyOnWriteArrayList<>();

    final Consumer<Completion> done = completions::add;
    private final JobSerde<Job> jobSerde = JobSerde.forJob(SerdeConfig.singleObject());
    private final JobSerde<JobFailure> failureSerde = JobSerde.forFailure(SerdeConfig.singleObject());
    private final JobSerde<JobEvent> eventSerde = JobSerde.forEvent(SerdeConfig.singleObject());

    /** With {@code autoComplete}, every send is acknowledged at once; else the test completes or fails each. */
    RunnerFixture(boolean autoComplete) {
        producer = new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Settings of queue {@value #QUEUE}, worker {@code worker-1}, events off. */
    static ProcessorConfig.Builder config() {
        return ProcessorConfig.builder(QUEUE, KAFKA).workerId("worker-1").events(EventLevel.NONE);
    }

    AcknowledgedWriter writer() {
        return new AcknowledgedWriter(producer, abandonment, metrics);
    }

    /** An event sender at {@code level}, its retries on virtual threads. */
    EventSender events(EventLevel level) {
        return new EventSender(
                config().events(level).build(),
                writer(),
                abandonment,
                Thread.ofVirtual().factory(),
                clock,
                metrics);
    }

    /** Failure records written in single-object encoding, their events through {@code events}. */
    FailureRecords failures(EventSender events) {
        return new FailureRecords(
                config().build(), JobSerde.forFailure(SerdeConfig.singleObject()), writer(), events, clock, metrics);
    }

    /** Invocations under the default timeouts; a timed-out run's failure is {@code timedOut}'s outcome. */
    HandlerInvocation invocation(Function<HandlerRun, Outcome> timedOut) {
        return new HandlerInvocation(
                config().build(), null, abandonment, Thread.ofVirtual().factory(), clock, metrics, timedOut);
    }

    static Job.Builder job(String type) {
        return Job.newBuilder()
                .setId("job-" + type)
                .setType(type)
                .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(NOW.minusSeconds(1));
    }

    /** The record at {@code offset} of partition 0 of the queue, holding {@code job}, keyed by its id. */
    Work work(long offset, Job job) {
        return work(offset, job.getId().getBytes(StandardCharsets.UTF_8), jobSerde.encode(QUEUE, job));
    }

    /** The record at {@code offset} of partition 0 of the queue, holding {@code job}, written at {@code timestamp}. */
    Work work(long offset, Job job, Instant timestamp) {
        byte[] key = job.getId().getBytes(StandardCharsets.UTF_8);
        byte[] value = jobSerde.encode(QUEUE, job);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                QUEUE,
                0,
                offset,
                timestamp.toEpochMilli(),
                TimestampType.CREATE_TIME,
                key.length,
                value.length,
                key,
                value,
                new RecordHeaders(),
                Optional.empty());
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(offset);
        return new Work(record, new TopicPartition(QUEUE, 0), progress);
    }

    /** The record at {@code offset} of partition 0 of the queue with {@code key} and {@code value}. */
    static Work work(long offset, byte[] key, byte[] value) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(QUEUE, 0, offset, key, value);
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(offset);
        return new Work(record, new TopicPartition(QUEUE, 0), progress);
    }

    /** The records sent to {@code topic}, in order. */
    List<ProducerRecord<byte[], byte[]>> sent(String topic) {
        return producer.history().stream()
                .filter(record -> record.topic().equals(topic))
                .toList();
    }

    JobFailure failure(ProducerRecord<byte[], byte[]> record) {
        return failureSerde.decode(record.topic(), record.headers(), record.value());
    }

    JobEvent event(ProducerRecord<byte[], byte[]> record) {
        return eventSerde.decode(record.topic(), record.headers(), record.value());
    }

    Job job(ProducerRecord<byte[], byte[]> record) {
        return jobSerde.decode(record.topic(), record.headers(), record.value());
    }

    /** The count of {@code name} with tag {@code key}={@code value}, 0 when it was never counted. */
    double count(String name, String key, String value) {
        var counter = registry.find(name).tag(key, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
