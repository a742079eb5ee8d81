package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.processor.BatchItem;
import io.jobstream.processor.BatchResult;
import io.jobstream.processor.JobHandler;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.HandlerInvocation.Result;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandlerInvocationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Failed TIMED_OUT = new Failed(FailureReason.TIMEOUT, true);

    private final RunnerFixture kafka = new RunnerFixture(true);
    private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final HandlerInvocation invocation = kafka.invocation(run -> TIMED_OUT);

    @AfterEach
    void close() {
        invocation.close();
        jobThreads.close();
    }

    private static HandlerRegistration<byte[]> handler(JobHandler<byte[]> handler) {
        return new HandlerRegistration<>("send_email", PayloadReader.of(byte[].class, new JsonMapper()), handler);
    }

    /** Runs {@code handler} for a job with {@code timeout}, holding {@code permit}, on a job thread. */
    private CompletableFuture<Result> invoke(Duration timeout, Semaphore permit, JobHandler<byte[]> handler) {
        Job job = RunnerFixture.job("send_email").build();
        Work work = kafka.work(1, job);
        return CompletableFuture.supplyAsync(
                () -> invocation.invoke(invocation.run(work, job, timeout, kafka.done, permit, null), handler(handler)),
                jobThreads);
    }

    @Test
    void aRunRecordsHowLongItsJobWaitedSinceItWasDueTheLaterOfItsRecordAndItsNotBefore() {
        // Given a job written 3 s ago and one written 3 s ago but not to run before 1 s ago (the clock is fixed)
        Job plain = RunnerFixture.job("plain").build();
        Job delayed = RunnerFixture.job("delayed")
                .setNotBefore(RunnerFixture.NOW.minusSeconds(1))
                .build();
        Instant written = RunnerFixture.NOW.minusSeconds(3);

        // When a handler starts each
        invocation.run(kafka.work(1, plain, written), plain, Duration.ofMinutes(1), kafka.done, null, null);
        invocation.run(kafka.work(2, delayed, written), delayed, Duration.ofMinutes(1), kafka.done, null, null);

        // Then the plain job waited since its record (3 s), the delayed one since its notBefore (1 s)
        assertThat(waited("plain")).isEqualTo(3.0);
        assertThat(waited("delayed")).isEqualTo(1.0);
    }

    private double waited(String type) {
        return kafka.registry
                .get(ProcessorMeters.JOB_QUEUE_WAIT.spec().name())
                .tag("type", type)
                .timer()
                .totalTime(TimeUnit.SECONDS);
    }

    @Test
    void sweepsForTimeoutsEveryTenthOfTheShortestTimeoutWithinFiveToFiftyMillis() {
        // Given the default five-minute timeout, a 200 ms type timeout, and a 10 ms one
        ProcessorConfig defaults = RunnerFixture.config().build();
        ProcessorConfig shortType = RunnerFixture.config()
                .typeTimeout("quick", Duration.ofMillis(200))
                .build();
        ProcessorConfig tiny =
                RunnerFixture.config().jobTimeout(Duration.ofMillis(10)).build();

        // When the sweep period is derived, then it is a tenth of the shortest timeout, clamped to 5..50 ms
        assertThat(HandlerInvocation.sweepPeriod(defaults)).isEqualTo(Duration.ofMillis(50));
        assertThat(HandlerInvocation.sweepPeriod(shortType)).isEqualTo(Duration.ofMillis(20));
        assertThat(HandlerInvocation.sweepPeriod(tiny)).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void aHandlerThatReturnsInTimeDecidesItsRunAndGivesItsSlotBack() {
        // Given a type with one in-flight slot, taken by a job
        Semaphore slot = new Semaphore(1);
        slot.acquireUninterruptibly();
        IllegalStateException error = new IllegalStateException("smtp down");

        // When its handler throws in time
        CompletableFuture<Result> result = invoke(Duration.ofMinutes(1), slot, (ctx, payload) -> {
            throw error;
        });

        // Then the handler's thread decided the run, with the error, and the slot is free
        assertThat(result).succeedsWithin(WAIT).isInstanceOfSatisfying(Result.Returned.class, returned -> assertThat(
                        returned.error())
                .isSameAs(error));
        assertThat(slot.availablePermits()).isEqualTo(1);
        assertThat(kafka.completions).isEmpty();
    }

    @Test
    void aHandlerPastItsTimeoutIsCancelledAndItsTimeoutFailureHandedOverWithItsLaneHeld() {
        // Given a handler holding its type's slot that runs past its timeout, and after the interrupt until told to
        Semaphore slot = new Semaphore(0);
        CountDownLatch letReturn = new CountDownLatch(1);
        AtomicBoolean interruptedWhenCancelled = new AtomicBoolean();
        CompletableFuture<Result> result = invoke(Duration.ofMillis(50), slot, (ctx, payload) -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interruptedWhenCancelled.set(ctx.isCancelled());
            }
            letReturn.await();
        });

        // When the timeout fires, then the TIMEOUT outcome is handed over with the lane still held, the slot free
        await().atMost(WAIT).until(() -> kafka.completions.size() == 1);
        Completion timedOut = kafka.completions.getFirst();
        assertThat(timedOut.outcome()).isEqualTo(TIMED_OUT);
        assertThat(timedOut.laneHeld()).isTrue();
        assertThat(slot.availablePermits()).isEqualTo(1);
        assertThat(result).isNotDone();

        // And once the handler returns, its own thread learns it was overtaken
        letReturn.countDown();
        assertThat(result).succeedsWithin(WAIT).isInstanceOf(Result.Overtaken.class);
        assertThat(interruptedWhenCancelled).isTrue();
        assertThat(slot.availablePermits()).isEqualTo(1);
    }

    @Test
    void givingUpCancelsEveryRunningHandlerAndAbandonsItsJob() {
        // Given a handler that runs until interrupted
        CountDownLatch started = new CountDownLatch(1);
        Semaphore slot = new Semaphore(0);
        CompletableFuture<Result> result = invoke(Duration.ofMinutes(1), slot, (ctx, payload) -> {
            started.countDown();
            new CountDownLatch(1).await();
        });
        await().atMost(WAIT).until(() -> started.getCount() == 0);

        // When the runner gives up
        kafka.abandonment.abandon();
        invocation.abandon();

        // Then the job is abandoned, its slot given back, and the handler's thread overtaken
        assertThat(result).succeedsWithin(WAIT).isInstanceOf(Result.Overtaken.class);
        assertThat(kafka.completions).singleElement().satisfies(c -> assertThat(c.outcome())
                .isInstanceOf(Abandoned.class));
        assertThat(slot.availablePermits()).isEqualTo(1);
    }

    @Test
    void aBatchItemNamedInTheResultFailsAndTheOthersSucceed() {
        // Given a batch of two jobs, the second of which the handler names as failed
        IllegalStateException busy = new IllegalStateException("busy");

        // When the batch runs on a job thread
        CompletableFuture<List<Result>> results = CompletableFuture.supplyAsync(
                () -> {
                    List<HandlerRun> runs = List.of(run(1), run(2));
                    List<BatchItem<byte[]>> items = runs.stream()
                            .map(run -> new BatchItem<>(run, new byte[0]))
                            .toList();
                    return invocation.invokeBatch(
                            "index",
                            batch -> BatchResult.builder()
                                    .fail(batch.get(1), busy)
                                    .build(),
                            runs,
                            items);
                },
                jobThreads);

        // Then the first item succeeded and the second failed with the handler's error
        assertThat(results).succeedsWithin(WAIT).satisfies(list -> {
            assertThat(list.get(0)).isInstanceOfSatisfying(Result.Returned.class, r -> assertThat(r.error())
                    .isNull());
            assertThat(list.get(1)).isInstanceOfSatisfying(Result.Returned.class, r -> assertThat(r.error())
                    .isSameAs(busy));
        });
        assertThat(kafka.registry
                        .get(ProcessorMeters.WORKERS_ACTIVE.spec().name())
                        .gauge()
                        .value())
                .isZero();
    }

    private HandlerRun run(long offset) {
        Job job = RunnerFixture.job("index").setId("job-" + offset).build();
        return invocation.run(kafka.work(offset, job), job, Duration.ofMinutes(1), kafka.done, null, null);
    }
}
