package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.processor.BatchResult;
import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Deferred;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.processor.internal.Outcome.Succeeded;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final RunnerFixture kafka = new RunnerFixture(true);
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final JobRunner runner = runner(RunnerFixture.config().build());

    private JobRunner runner(ProcessorConfig config) {
        return new JobRunner(new JobRunner.Setup(
                config,
                Map.of(
                        "send_email",
                        new HandlerRegistration<>(
                                "send_email",
                                PayloadReader.of(byte[].class, new JsonMapper()),
                                (ctx, payload) -> handled.add(ctx.id()))),
                Map.of(
                        "index",
                        new BatchRegistration<>(
                                "index",
                                PayloadReader.of(byte[].class, new JsonMapper()),
                                1,
                                Duration.ofHours(1),
                                items -> {
                                    items.forEach(
                                            item -> handled.add(item.context().id()));
                                    return BatchResult.allSucceeded();
                                })),
                Map.of(),
                null,
                JobDecoder.create(SerdeConfig.singleObject()),
                JobSerde.forFailure(SerdeConfig.singleObject()),
                kafka.producer,
                kafka.clock,
                kafka.metrics));
    }

    @AfterEach
    void close() {
        runner.close();
    }

    /** Starts {@code work} and waits for its one completion. */
    private Completion run(Work work) {
        runner.start(work, kafka.done);
        await().atMost(WAIT).until(() -> !kafka.completions.isEmpty());
        return kafka.completions.getFirst();
    }

    private JobFailure failure() {
        return kafka.failure(kafka.sent("jobs.failed").getFirst());
    }

    @Test
    void aJobOfAHandledTypeRunsItsHandlerAndSucceeds() {
        Job job = RunnerFixture.job("send_email").build();

        assertThat(run(kafka.work(1, job)).outcome()).isEqualTo(new Succeeded());
        assertThat(handled).containsExactly(job.getId());
        assertThat(kafka.producer.history()).isEmpty();
    }

    @Test
    void aJobOfABatchTypeRunsInItsBatch() {
        Job job = RunnerFixture.job("index").build();

        assertThat(run(kafka.work(1, job)).outcome()).isEqualTo(new Succeeded());
        assertThat(handled).containsExactly(job.getId());
    }

    @Test
    void aJobOfAnUnknownTypeFailsForGoodNamingTheTypesThisWorkerHandles() {
        Job job = RunnerFixture.job("resize_image").build();

        assertThat(run(kafka.work(1, job)).outcome()).isEqualTo(new Failed(FailureReason.UNKNOWN_TYPE, false));
        assertThat(failure().getMessage())
                .isEqualTo("no handler for job type 'resize_image'; this worker handles [send_email]");
        assertThat(kafka.count(ProcessorMeters.JOBS_FAILED.spec().name(), "type", ProcessorMetrics.UNKNOWN_TYPE))
                .isEqualTo(1.0);
        assertThat(handled).isEmpty();
    }

    @Test
    void anExpiredJobIsNotRunAndFailsAsExpired() {
        Job job = RunnerFixture.job("send_email")
                .setExpiresAt(RunnerFixture.NOW.minusMillis(1))
                .build();

        assertThat(run(kafka.work(1, job)).outcome()).isEqualTo(new Failed(FailureReason.EXPIRED, false));
        assertThat(failure().getMessage()).isEqualTo("expired at " + RunnerFixture.NOW.minusMillis(1));
        assertThat(handled).isEmpty();
    }

    @Test
    void aJobNotDueYetIsDeferredThroughTheDelayTiersNotRun() {
        Job job = RunnerFixture.job("send_email")
                .setNotBefore(RunnerFixture.NOW.plusSeconds(90))
                .build();

        assertThat(run(kafka.work(1, job)).outcome()).isEqualTo(new Deferred("not_before"));
        assertThat(kafka.sent("jobs.delay.30s")).hasSize(1);
        assertThat(handled).isEmpty();
    }

    @Test
    void anUndecodableRecordFailsAsADecodeErrorKeepingItsBytes() {
        byte[] value = "not a job".getBytes(StandardCharsets.UTF_8);

        assertThat(run(RunnerFixture.work(1, null, value)).outcome())
                .isEqualTo(new Failed(FailureReason.DECODE_ERROR, false));
        assertThat(failure().getRawValue()).hasValue(ByteBuffer.wrap(value));
        assertThat(failure().getJob()).isEmpty();
    }

    @Test
    void writesToFailedAloneWithEventsOffAndNoRules() {
        assertThat(runner.outputTopics()).containsExactly("jobs.failed");
    }

    @Test
    void writesToEventsTooWhenEventsAreOn() {
        try (JobRunner withEvents =
                runner(RunnerFixture.config().events(EventLevel.OUTCOMES).build())) {
            assertThat(withEvents.outputTopics()).containsExactly("jobs.failed", "jobs.events");
        }
    }
}
