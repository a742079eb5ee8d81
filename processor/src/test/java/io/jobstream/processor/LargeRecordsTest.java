package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Records near the size limit: a failure too large for {@code <queue>.failed} is written trimmed, never retried. */
class LargeRecordsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TOPIC_LIMIT = 100_000;
    private static final JobSerde<JobFailure> FAILURES = JobSerde.forFailure(SerdeConfig.singleObject());

    private final List<JobProcessor> processors = new ArrayList<>();

    @AfterEach
    void closeProcessors() {
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
    }

    /** A MockProducer that refuses, as a broker does, every record whose value is larger than the topic's limit. */
    static final class SizeLimitedProducer extends MockProducer<byte[], byte[]> {
        final List<ProducerRecord<byte[], byte[]>> refused = new CopyOnWriteArrayList<>();

        SizeLimitedProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (record.value() != null && record.value().length > TOPIC_LIMIT) {
                refused.add(record);
                RecordTooLargeException error = new RecordTooLargeException(
                        "The request included a message larger" + " than the max message size the server will accept.");
                if (callback != null) {
                    callback.onCompletion(null, error);
                }
                return CompletableFuture.failedFuture(error);
            }
            return super.send(record, callback);
        }
    }

    private JobProcessor started(MockKafka kafka, SizeLimitedProducer producer, List<Integer> good) {
        record N(int n) {}
        JobProcessor processor = JobProcessor.builder(MockKafka.config().build())
                .kafkaClients(props -> kafka.consumer, props -> producer)
                .handle("throws", (ctx, bytes) -> {
                    throw new IllegalStateException("downstream refused");
                })
                .handle("good", N.class, (ctx, n) -> good.add(n.n()))
                .build();
        processors.add(processor);
        return processor.start();
    }

    private static List<ProducerRecord<byte[], byte[]>> failureRecords(SizeLimitedProducer producer) {
        return producer.history().stream()
                .filter(r -> r.topic().equals(Topics.failed(MockKafka.QUEUE)))
                .toList();
    }

    private static byte[] bytes(int size, char fill) {
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) fill);
        return out;
    }

    @Test
    void aFailureTooLargeForTheFailedTopicIsWrittenTrimmedOnceAndTheJobsBehindItRun() {
        // Given a job whose payload is larger than <queue>.failed accepts and whose handler throws, then a good job
        MockKafka kafka = new MockKafka(true);
        SizeLimitedProducer producer = new SizeLimitedProducer();
        List<Integer> good = new CopyOnWriteArrayList<>();
        started(kafka, producer, good);
        kafka.assign(partition(0));
        Job large = MockKafka.job("k", "throws", "{}")
                .setPayload(ByteBuffer.wrap(bytes(TOPIC_LIMIT + 1_000, 'x')))
                .build();
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(large));
        kafka.addJob(partition(0), "k", "good", "{\"n\":1}");

        // When the processor runs them, then the partition is committed past both and the good job ran
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(good).containsExactly(1);

        // And the failure was refused once, then written trimmed: no payload, pointing at the job's record
        assertThat(producer.refused).hasSize(1);
        List<ProducerRecord<byte[], byte[]>> written = failureRecords(producer);
        assertThat(written).hasSize(1);
        ProducerRecord<byte[], byte[]> record = written.getFirst();
        assertThat(JobHeaders.text(record.headers(), JobHeaders.TRIMMED)).contains(MockKafka.QUEUE + "/0/0");
        JobFailure failure = FAILURES.decode(record.topic(), record.headers(), record.value());
        assertThat(failure.getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
        assertThat(failure.getJob()).hasValueSatisfying(job -> {
            assertThat(job.getId()).isEqualTo(large.getId());
            assertThat(job.getPayload().remaining()).isZero();
        });
        assertThat(failure.getRetryable()).isFalse();
        assertThat(failure.getMessage()).contains("downstream refused").contains("trimmed");
        assertThat(failure.getSourceOffset()).isZero();
    }

    @Test
    void anUndecodableRecordTooLargeForTheFailedTopicIsWrittenTrimmedWithoutItsBytes() {
        // Given raw bytes larger than <queue>.failed accepts that are no job, then a good job
        MockKafka kafka = new MockKafka(true);
        SizeLimitedProducer producer = new SizeLimitedProducer();
        List<Integer> good = new CopyOnWriteArrayList<>();
        started(kafka, producer, good);
        kafka.assign(partition(0));
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), bytes(TOPIC_LIMIT + 1_000, '\u0007'));
        kafka.addJob(partition(0), "k", "good", "{\"n\":1}");

        // When the processor runs them, then the partition is committed past both and the good job ran
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(good).containsExactly(1);

        // And a trimmed DECODE_ERROR failure names the record instead of carrying its bytes
        List<ProducerRecord<byte[], byte[]>> written = failureRecords(producer);
        assertThat(written).hasSize(1);
        ProducerRecord<byte[], byte[]> record = written.getFirst();
        assertThat(JobHeaders.text(record.headers(), JobHeaders.TRIMMED)).contains(MockKafka.QUEUE + "/0/0");
        JobFailure failure = FAILURES.decode(record.topic(), record.headers(), record.value());
        assertThat(failure.getReason()).isEqualTo(FailureReason.DECODE_ERROR);
        assertThat(failure.getRawValue()).isEmpty();
        assertThat(failure.getJob()).isEmpty();
        assertThat(failure.getMessage()).contains(MockKafka.QUEUE + "/0/0");
    }

    @Test
    void aFailureThatFitsIsWrittenWholeAndUnmarked() {
        // Given a job just under the topic's limit whose handler throws
        MockKafka kafka = new MockKafka(true);
        SizeLimitedProducer producer = new SizeLimitedProducer();
        started(kafka, producer, new CopyOnWriteArrayList<>());
        kafka.assign(partition(0));
        kafka.add(
                partition(0),
                "k".getBytes(StandardCharsets.UTF_8),
                kafka.encode(MockKafka.job("k", "throws", "{}")
                        .setPayload(ByteBuffer.wrap(bytes(TOPIC_LIMIT / 2, 'x')))
                        .build()));

        // When it fails, then its failure is written whole, retryable, without the trimmed mark
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        List<ProducerRecord<byte[], byte[]>> written = failureRecords(producer);
        assertThat(written).hasSize(1);
        assertThat(JobHeaders.text(written.getFirst().headers(), JobHeaders.TRIMMED))
                .isEmpty();
        JobFailure failure = FAILURES.decode(
                written.getFirst().topic(),
                written.getFirst().headers(),
                written.getFirst().value());
        assertThat(failure.getJob().orElseThrow().getPayload().remaining()).isEqualTo(TOPIC_LIMIT / 2);
        assertThat(failure.getRetryable()).isTrue();
    }

    @Test
    void theProducerTakesAFailureOfAJobAsLargeAsTheLargestPayloadLimit() {
        // Given default processor settings
        ProcessorConfig config = MockKafka.config().build();

        // When the producer properties are derived, then max.request.size fits a 64 MiB job with its failure text
        assertThat(JobProcessor.producerProperties(config))
                .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordLimits.INTERNAL_MAX_REQUEST_SIZE);
        assertThat(RecordLimits.INTERNAL_MAX_REQUEST_SIZE)
                .isGreaterThanOrEqualTo(64 * 1024 * 1024 + RecordLimits.FAILURE_ALLOWANCE);
    }
}
