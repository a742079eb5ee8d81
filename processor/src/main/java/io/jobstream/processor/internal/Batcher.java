package io.jobstream.processor.internal;

import io.jobstream.processor.BatchItem;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.HandlerInvocation.Result;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.HandlerExited;
import io.jobstream.schemas.Job;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the ready jobs of one batch type and hands them to its batch handler, on a job thread of their own, when
 * the batch holds {@code maxBatchSize} jobs or {@code maxWait} after its first job arrived (the flush timer runs on
 * {@link HandlerInvocation}'s timer thread). Which jobs are ready is the poll thread's business (the ordering mode), so a
 * batch never holds two jobs the mode forbids running together.
 *
 * <p>Each item is its own job: an item whose payload cannot be read fails alone; the batch's timeout applies to every
 * item ({@link HandlerInvocation}); an item that succeeded goes on as any succeeded job ({@link EventSender}), one that
 * failed has its failure written on a job thread of its own ({@link FailureRecords}), so the items' writes run side by
 * side. Every job {@link #add added} gets exactly one outcome; {@link #abandon()} ends the waiting ones. Thread-safe.
 */
final class Batcher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
    private static final HandlerExited HANDLER_EXITED = new HandlerExited();

    private final BatchRegistration<T> registration;
    private final Duration timeout;
    private final HandlerInvocation invocation;
    private final EventSender events;
    private final FailureRecords failures;
    private final Abandonment abandonment;
    private final Clock clock;
    private final ProcessorMetrics metrics;
    private List<Pending> waiting = new ArrayList<>();
    /** Incremented whenever the waiting jobs are taken: a flush timer of an earlier batch does nothing. */
    private long generation;

    /** A job waiting for its batch, holding its type's in-flight slot ({@code limit}) if the type has a limit. */
    private record Pending(Work work, Job job, Consumer<Completion> done, Semaphore limit, Context trace) {
        void releasePermit() {
            if (limit != null) {
                limit.release();
            }
        }

        void abandon(String why) {
            releasePermit();
            done.accept(new Completion(work, new Abandoned(why)));
        }
    }

    Batcher(
            BatchRegistration<T> registration,
            ProcessorConfig config,
            HandlerInvocation invocation,
            EventSender events,
            FailureRecords failures,
            Abandonment abandonment,
            Clock clock,
            ProcessorMetrics metrics) {
        this.registration = registration;
        this.timeout = config.timeoutOf(registration.type());
        this.invocation = invocation;
        this.events = events;
        this.failures = failures;
        this.abandonment = abandonment;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Adds a ready job of this type, holding its type's in-flight slot {@code limit} (or null); {@code done} receives
     * its outcome once its batch ran. The current context (the job's {@code process} span) is the item's.
     */
    void add(Work work, Job job, Consumer<Completion> done, Semaphore limit) {
        Pending pending = new Pending(work, job, done, limit, Context.current());
        List<Pending> full = null;
        boolean first;
        long gen;
        synchronized (this) {
            waiting.add(pending);
            first = waiting.size() == 1;
            gen = generation;
            if (waiting.size() >= registration.maxBatchSize()) {
                full = take();
            }
        }
        if (full != null) {
            launch(full);
        } else if (first) {
            invocation.afterDelay(registration.maxWait(), () -> flushDue(gen)); // closing: runs what waits now
        }
    }

    /** Ends every job still waiting for its batch as {@code Abandoned}: the runner is giving up. */
    void abandon() {
        List<Pending> batch;
        synchronized (this) {
            batch = take();
        }
        batch.forEach(pending -> pending.abandon("the processor closed before the batch started"));
    }

    private void flushDue(long gen) {
        List<Pending> batch;
        synchronized (this) {
            if (gen != generation || waiting.isEmpty()) {
                return;
            }
            batch = take();
        }
        launch(batch);
    }

    /** Takes the waiting jobs; the caller holds the lock. */
    private List<Pending> take() {
        List<Pending> batch = waiting;
        waiting = new ArrayList<>();
        generation++;
        return batch;
    }

    private void launch(List<Pending> batch) {
        invocation.start(() -> {
            try {
                run(batch);
            } catch (Throwable t) {
                // run delivers every outcome itself; reaching here is a bug: never leave one hanging
                LOG.error(
                        "batch_abandoned type={} reason=internal_error error={}", registration.type(), t.toString(), t);
            }
        });
    }

    /** Runs one batch on the current (job) thread; every item's outcome is delivered exactly once. */
    private void run(List<Pending> batch) {
        if (abandonment.isAbandoned()) {
            batch.forEach(pending -> pending.abandon("the processor closed before the batch started"));
            return;
        }
        String type = registration.type();
        Instant deadline = clock.instant().plus(timeout);
        List<HandlerRun> runs = new ArrayList<>(batch.size());
        List<BatchItem<T>> items = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            HandlerRun run = invocation.run(
                    pending.work(),
                    pending.job(),
                    deadline,
                    timeout,
                    pending.done(),
                    pending.limit(),
                    null,
                    pending.trace());
            T value;
            try {
                value = registration.reader().read(pending.job().getPayload());
            } catch (Throwable t) {
                run.decide();
                run.releasePermit();
                failAside(run, t, 0);
                continue;
            }
            runs.add(run);
            items.add(new BatchItem<>(run, value));
        }
        if (runs.isEmpty()) {
            return;
        }
        metrics.batchSize(type, runs.size());
        List<Result> results = invocation.invokeBatch(type, registration.handler(), runs, items);
        for (int i = 0; i < runs.size(); i++) {
            HandlerRun run = runs.get(i);
            switch (results.get(i)) {
                // timed out or abandoned: its outcome is already on its way; its key's lane is free only now
                case Result.Overtaken overtaken -> run.done.accept(new Completion(run.work, HANDLER_EXITED));
                case Result.Returned returned
                when returned.error() == null -> {
                    metrics.duration(type, "succeeded", returned.nanos());
                    metrics.completed(type, run.job.getCreatedAt().toEpochMilli());
                    Outcome outcome = events.succeeded(run.work, run.job, run.done);
                    if (outcome != null) {
                        run.done.accept(new Completion(run.work, outcome));
                    }
                }
                case Result.Returned returned -> failAside(run, returned.error(), returned.nanos());
            }
        }
    }

    /** Writes the failure of a decided item on a job thread of its own, so the items' writes run side by side. */
    private void failAside(HandlerRun run, Throwable error, long nanos) {
        metrics.duration(run.job.getType(), "failed", nanos);
        invocation.finishAside(run, () -> failures.handlerError(run.work, run.job, error), false);
    }
}
