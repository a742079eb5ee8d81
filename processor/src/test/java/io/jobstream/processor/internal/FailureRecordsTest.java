package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Trimming;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailureRecordsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String FAILED = "jobs.failed";

    private RunnerFixture kafka;
    private EventSender events;
    private FailureRecords failures;
    private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();

    private FailureRecords failures(boolean autoComplete, EventLevel level) {
        kafka = new RunnerFixture(autoComplete);
        events = kafka.events(level);
        failures = kafka.failures(events);
        return failures;
    }

    @AfterEach
    void close() {
        jobThreads.close();
        if (kafka != null) {
            kafka.abandonment.abandon();
            events.close();
            failures.close();
        }
    }

    private CompletableFuture<Outcome> handlerError(Work work, Job job, Throwable error) {
        return CompletableFuture.supplyAsync(() -> failures.handlerError(work, job, error), jobThreads);
    }

    @Test
    void aFailureRecordCarriesTheJobTheErrorAndWhereItCameFrom() {
        // Given a job whose handler threw
        failures(true, EventLevel.NONE);
        Job job = RunnerFixture.job("send_email").setAttempt(2).build();
        Work work = kafka.work(41, job);
        IllegalStateException error = new IllegalStateException("smtp down");

        // When its failure is written
        assertThat(handlerError(work, job, error))
                .succeedsWithin(WAIT)
                .isEqualTo(new Failed(FailureReason.HANDLER_ERROR, true));

        // Then one record went to <queue>.failed, keyed as the job's record, with every field as before
        ProducerRecord<byte[], byte[]> sent = kafka.sent(FAILED).getFirst();
        assertThat(kafka.producer.history()).hasSize(1);
        assertThat(sent.key()).isEqualTo(work.key());
        JobFailure failure = kafka.failure(sent);
        assertThat(failure.getJob()).hasValue(job);
        assertThat(failure.getRawKey()).isEmpty();
        assertThat(failure.getRawValue()).isEmpty();
        assertThat(failure.getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
        assertThat(failure.getErrorClass()).hasValue(IllegalStateException.class.getName());
        assertThat(failure.getMessage()).isEqualTo("smtp down");
        assertThat(failure.getStackTrace()).hasValueSatisfying(trace -> assertThat(trace)
                .startsWith("java.lang.IllegalStateException: smtp down")
                .contains("FailureRecordsTest"));
        assertThat(failure.getRetryable()).isTrue();
        assertThat(failure.getFailedAt()).isEqualTo(RunnerFixture.NOW);
        assertThat(failure.getWorkerId()).isEqualTo("worker-1");
        assertThat(failure.getSourceTopic()).isEqualTo(RunnerFixture.QUEUE);
        assertThat(failure.getSourcePartition()).isZero();
        assertThat(failure.getSourceOffset()).isEqualTo(41);
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.FAILURE_REASON)).hasValue("HANDLER_ERROR");
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.JOB_ID)).hasValue(job.getId());
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.JOB_TYPE)).hasValue("send_email");
        assertThat(kafka.count(ProcessorMeters.JOBS_FAILED.spec().name(), "reason", "HANDLER_ERROR"))
                .isEqualTo(1.0);
    }

    @Test
    void aNeverRetriedErrorFailsTheJobForGood() {
        failures(true, EventLevel.NONE);
        Job job = RunnerFixture.job("send_email").build();

        assertThat(handlerError(kafka.work(1, job), job, new IllegalArgumentException("bad argument")))
                .succeedsWithin(WAIT)
                .isEqualTo(new Failed(FailureReason.HANDLER_ERROR, false));
        assertThat(kafka.failure(kafka.sent(FAILED).getFirst()).getRetryable()).isFalse();
    }

    @Test
    void anUndecodableRecordsFailureKeepsItsRawBytesAndNoJob() {
        // Given a record that is not a job
        failures(true, EventLevel.OUTCOMES);
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = "not a job".getBytes(StandardCharsets.UTF_8);
        Work work = RunnerFixture.work(5, key, value);

        // When its failure is written
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(
                () -> failures.fail(work, null, "unknown", FailureReason.DECODE_ERROR, null, "not a job", false),
                jobThreads);

        // Then the record keeps the bytes, names no job, and no event is written (there is no job id)
        assertThat(outcome).succeedsWithin(WAIT).isEqualTo(new Failed(FailureReason.DECODE_ERROR, false));
        assertThat(kafka.producer.history()).hasSize(1);
        JobFailure failure = kafka.failure(kafka.sent(FAILED).getFirst());
        assertThat(failure.getJob()).isEmpty();
        assertThat(failure.getRawKey()).hasValue(ByteBuffer.wrap(key));
        assertThat(failure.getRawValue()).hasValue(ByteBuffer.wrap(value));
        assertThat(failure.getErrorClass()).isEmpty();
        assertThat(failure.getStackTrace()).isEmpty();
        assertThat(JobHeaders.text(kafka.sent(FAILED).getFirst().headers(), JobHeaders.JOB_ID))
                .isEmpty();
    }

    @Test
    void theFailedEventIsWrittenBeforeTheFailureRecord() {
        failures(true, EventLevel.OUTCOMES);
        Job job = RunnerFixture.job("send_email").build();

        assertThat(handlerError(kafka.work(1, job), job, new IllegalStateException("smtp down")))
                .succeedsWithin(WAIT);

        assertThat(kafka.producer.history()).extracting(ProducerRecord::topic).containsExactly("jobs.events", FAILED);
        assertThat(kafka.event(kafka.producer.history().getFirst()).getState()).isEqualTo(JobState.FAILED);
    }

    @Test
    void aFailureRefusedForGoodIsWrittenTrimmedNotRetryableAndNamingTheJobsRecord() {
        // Given a failure the broker refuses as too large
        failures(false, EventLevel.NONE);
        Job job = RunnerFixture.job("send_email").build();
        Work work = kafka.work(9, job);
        CompletableFuture<Outcome> outcome = handlerError(work, job, new IllegalStateException("smtp down"));
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new RecordTooLargeException("too large"));

        // When the trimmed failure that follows is acknowledged
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        kafka.producer.completeNext();

        // Then the job failed for good, its trimmed record marked with the job's own record
        assertThat(outcome).succeedsWithin(WAIT).isEqualTo(new Failed(FailureReason.HANDLER_ERROR, false));
        ProducerRecord<byte[], byte[]> trimmed = kafka.sent(FAILED).get(1);
        assertThat(Trimming.isTrimmed(trimmed.headers())).isTrue();
        assertThat(JobHeaders.text(trimmed.headers(), JobHeaders.TRIMMED)).hasValue("jobs/0/9");
        assertThat(JobHeaders.text(trimmed.headers(), JobHeaders.JOB_ID)).hasValue(job.getId());
        assertThat(trimmed.key()).isEqualTo(work.key());
        assertThat(kafka.failure(trimmed).getRetryable()).isFalse();
    }

    @Test
    void aRegistryOutagesFailureCountsTheDecodeAttempt() {
        // Given a record that was already retried once for a registry outage
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(RunnerFixture.QUEUE, 0, 0L, null, new byte[] {1});
        JobHeaders.putText(record.headers(), JobHeaders.DECODE_ATTEMPT, "2");

        // Then its failure's headers carry the attempt, and a missing or garbled attempt counts as the first
        assertThat(JobHeaders.text(
                        FailureRecords.headers(record, null, FailureReason.REGISTRY_UNAVAILABLE),
                        JobHeaders.DECODE_ATTEMPT))
                .hasValue("2");
        assertThat(FailureRecords.decodeAttempt(new ConsumerRecord<>(RunnerFixture.QUEUE, 0, 0L, null, null)))
                .isEqualTo(1);
        record.headers().remove(JobHeaders.DECODE_ATTEMPT);
        JobHeaders.putText(record.headers(), JobHeaders.DECODE_ATTEMPT, "x");
        assertThat(FailureRecords.decodeAttempt(record)).isEqualTo(1);
    }

    @Test
    void longMessagesAndStackTracesAreCut() {
        failures(true, EventLevel.NONE);
        Job job = RunnerFixture.job("send_email").build();
        String longMessage = "x".repeat(20_000);

        JobFailure failure = failures.record(
                kafka.work(1, job),
                job,
                FailureReason.HANDLER_ERROR,
                new IllegalStateException(longMessage),
                longMessage,
                true);

        assertThat(failure.getMessage()).startsWith("x".repeat(8 * 1024)).endsWith("(truncated, 20000 chars)");
        assertThat(failure.getStackTrace())
                .hasValueSatisfying(trace -> assertThat(trace).endsWith(" chars)"));
    }
}
