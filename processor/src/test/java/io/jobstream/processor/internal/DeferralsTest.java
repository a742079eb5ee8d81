package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.Outcome.Deferred;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferralsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RunnerFixture kafka;
    private EventSender events;
    private FailureRecords failures;
    private Deferrals deferrals;
    private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();

    private Deferrals deferrals(boolean autoComplete) {
        kafka = new RunnerFixture(autoComplete);
        events = kafka.events(EventLevel.NONE);
        failures = kafka.failures(events);
        deferrals = new Deferrals(RunnerFixture.config().build(), kafka.writer(), failures, kafka.clock, kafka.metrics);
        return deferrals;
    }

    @AfterEach
    void close() {
        kafka.abandonment.abandon();
        deferrals.close();
        failures.close();
        events.close();
        jobThreads.close();
    }

    private CompletableFuture<Outcome> onJobThread(Supplier<Outcome> defer) {
        return CompletableFuture.supplyAsync(defer, jobThreads);
    }

    @Test
    void aDeferredJobGoesToTheDeferDelaysTierDueThenKeyedAndHeadedAsItCameWithItsAttemptUnchanged() {
        // Given a job (attempt 3, with a header of its record) that could not take its lock
        deferrals(true);
        Job job = RunnerFixture.job("charge").setAttempt(3).build();
        Work work = kafka.work(12, job);
        work.record().headers().add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));

        // When it is deferred by the default defer-delay (5s)
        assertThat(onJobThread(() -> deferrals.defer(work, job, "lock_busy", "held by another job")))
                .succeedsWithin(WAIT)
                .isEqualTo(new Deferred("lock_busy"));

        // Then its copy went to the 5s tier, due 5s from now, attempt unchanged, headed and keyed as it came
        assertThat(deferrals.deferTopic()).isEqualTo("jobs.delay.5s");
        ProducerRecord<byte[], byte[]> sent = kafka.sent("jobs.delay.5s").getFirst();
        Instant due = RunnerFixture.NOW.plusSeconds(5);
        assertThat(sent.key()).isEqualTo(work.key());
        assertThat(kafka.job(sent).getAttempt()).isEqualTo(3);
        assertThat(kafka.job(sent).getNotBefore()).hasValue(due);
        assertThat(JobHeaders.instant(sent.headers(), JobHeaders.DUE_AT)).hasValue(due);
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.TARGET_TOPIC)).hasValue(RunnerFixture.QUEUE);
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.JOB_ID)).hasValue(job.getId());
        assertThat(JobHeaders.text(sent.headers(), "traceparent")).hasValue("00-abc");
        assertThat(kafka.count(ProcessorMeters.JOBS_DEFERRED.spec().name(), "reason", "lock_busy"))
                .isEqualTo(1.0);
    }

    @Test
    void aJobNotDueYetWaitsInTheLargestTierNotLongerThanItsWait() {
        deferrals(true);
        Job job = RunnerFixture.job("report").build();
        Instant due = RunnerFixture.NOW.plusSeconds(45);

        assertThat(onJobThread(() -> deferrals.deferUntil(kafka.work(1, job), job, due, "not_before", "later")))
                .succeedsWithin(WAIT)
                .isEqualTo(new Deferred("not_before"));

        assertThat(kafka.sent("jobs.delay.30s"))
                .singleElement()
                .satisfies(sent -> assertThat(kafka.job(sent).getNotBefore()).hasValue(due));
    }

    @Test
    void aDeferredCopyRefusedForGoodFailsTheJobForGood() {
        // Given a deferral the broker refuses as too large
        deferrals(false);
        Job job = RunnerFixture.job("charge").build();
        CompletableFuture<Outcome> outcome =
                onJobThread(() -> deferrals.defer(kafka.work(1, job), job, "lock_busy", ""));
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new RecordTooLargeException("too large"));

        // When the job's failure that follows is acknowledged
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        kafka.producer.completeNext();

        // Then the job failed, not retryable, naming the tier it could not be written to
        assertThat(outcome).succeedsWithin(WAIT).isEqualTo(new Failed(FailureReason.HANDLER_ERROR, false));
        assertThat(kafka.failure(kafka.sent("jobs.failed").getFirst()).getMessage())
                .startsWith("the deferred job cannot be written to jobs.delay.5s");
    }
}
