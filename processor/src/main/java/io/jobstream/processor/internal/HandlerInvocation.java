package io.jobstream.processor.internal;

import io.jobstream.coordination.Coordination;
import io.jobstream.processor.BatchHandler;
import io.jobstream.processor.BatchItem;
import io.jobstream.processor.BatchResult;
import io.jobstream.processor.JobContext;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.schemas.Job;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs handlers under their timeouts: each job (or batch) on a virtual thread ({@code jobstream-<queue>-job}), watched
 * by one sweep over the running handlers every {@link #sweepPeriod tenth of the shortest timeout} on a platform thread
 * of its own ({@code jobstream-<queue>-timeouts}), which also runs the batches' flush timers. Whoever comes first
 * decides a run's outcome ({@link HandlerRun#decide()}): the handler returning ({@link Result.Returned}, to its own
 * thread), its timeout (the run is cancelled, its thread interrupted, and its {@code TIMEOUT} failure written on a job
 * thread of its own, handed over with its lane still held), or {@link #abandon()} ({@code Abandoned}). A handler that
 * returns after it was overtaken gets {@link Result.Overtaken}: only now may the next job of its key start.
 *
 * <p>One sweep instead of a scheduled task per job: scheduling and cancelling a task per job costs a lock (shared by
 * every job thread) and a heap update each; a sweep costs one pass over at most {@code concurrency} runs per period. A
 * timeout fires at most one period late, never early.
 *
 * <p>Thread-safe. What a handler throws is its run's result, never thrown on; a fault in the sweep is logged and the
 * sweep goes on.
 */
final class HandlerInvocation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerInvocation.class);

    private final String queue;
    private final Coordination coordination;
    private final Abandonment abandonment;
    private final ProcessorMetrics metrics;
    private final Clock clock;
    private final ThreadFactory jobThreads;
    private final Function<HandlerRun, Outcome> timedOut;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<HandlerRun> running = ConcurrentHashMap.newKeySet();

    /** What a handler run came to, as seen by the thread it ran on. */
    sealed interface Result {
        /**
         * The handler returned before its timeout: {@code error} is what it threw (null when it succeeded); the run's
         * in-flight slot is already given back.
         */
        record Returned(Throwable error, long nanos) implements Result {}

        /** The run's timeout (or the runner giving up) decided its outcome first; its handler has returned now. */
        record Overtaken() implements Result {}
    }

    /**
     * Invocations for {@code config}'s queue and timeouts; {@code coordination} (or null) is handed to handlers, {@code
     * jobThreads} makes the job threads, and {@code timedOut} writes a timed-out run's failure (on a job thread).
     */
    HandlerInvocation(
            ProcessorConfig config,
            Coordination coordination,
            Abandonment abandonment,
            ThreadFactory jobThreads,
            Clock clock,
            ProcessorMetrics metrics,
            Function<HandlerRun, Outcome> timedOut) {
        this.queue = config.queue();
        this.coordination = coordination;
        this.abandonment = abandonment;
        this.jobThreads = jobThreads;
        this.clock = clock;
        this.metrics = metrics;
        this.timedOut = timedOut;
        this.timer = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform()
                        .name("jobstream-" + queue + "-timeouts")
                        .daemon(true)
                        .factory());
        long periodNanos = sweepPeriod(config).toNanos();
        timer.scheduleAtFixedRate(this::sweep, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** How often running jobs are checked against their deadlines: a tenth of the shortest timeout, 5 to 50 ms. */
    static Duration sweepPeriod(ProcessorConfig config) {
        Duration shortest = config.jobTimeout();
        for (Duration timeout : config.typeTimeouts().values()) {
            if (timeout.compareTo(shortest) < 0) {
                shortest = timeout;
            }
        }
        long millis = Math.clamp(shortest.toMillis() / 10, 5L, 50L);
        return Duration.ofMillis(millis);
    }

    /** Starts {@code task} on a new job thread. */
    void start(Runnable task) {
        jobThreads.newThread(task).start();
    }

    /** Runs {@code task} on the timer thread after {@code delay}; at once, here, when the runner is closing. */
    void afterDelay(Duration delay, Runnable task) {
        try {
            timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * A run of {@code job} on the current thread, due by {@code deadline} (its type's {@code timeout} from now), holding
     * its type's in-flight {@code permit} and what its rules took ({@code held}), each or null, within {@code trace}.
     */
    HandlerRun run(
            Work work,
            Job job,
            Instant deadline,
            Duration timeout,
            Consumer<Completion> done,
            Semaphore permit,
            Guards.Held held,
            Context trace) {
        long timestamp = work.record().timestamp(); // when it landed in the queue topic (a retry: when forwarded)
        long enqueued = timestamp >= 0 ? timestamp : job.getCreatedAt().toEpochMilli();
        metrics.started(
                job.getType(),
                job.getNotBefore()
                        .map(t -> Math.max(t.toEpochMilli(), enqueued))
                        .orElse(enqueued));
        return new HandlerRun(
                work, job, queue, deadline, timeout, Thread.currentThread(), done, permit, held, coordination, trace);
    }

    /** A run of {@code job} on the current thread, due by its type's {@code timeout} from now, in the current context. */
    HandlerRun run(
            Work work, Job job, Duration timeout, Consumer<Completion> done, Semaphore permit, Guards.Held held) {
        return run(work, job, clock.instant().plus(timeout), timeout, done, permit, held, Context.current());
    }

    /** Runs {@code handler} for {@code run} on the current thread, under the run's timeout. */
    Result invoke(HandlerRun run, HandlerRegistration<?> handler) {
        running.add(run); // from here the sweep watches it
        Throwable error = null;
        metrics.workersActive().incrementAndGet();
        try {
            if (abandonment.isAbandoned()) {
                run.cancel();
            }
            call(handler, run, run.job.getPayload());
        } catch (Throwable t) {
            error = t;
        } finally {
            metrics.workersActive().decrementAndGet();
            running.remove(run);
        }
        return decide(run, error, System.nanoTime() - run.startNanos);
    }

    /**
     * Runs {@code handler} for a batch on the current thread: {@code items} (one per run of {@code runs}, all with the
     * batch's deadline) under the batch's timeout. The result of each run, in order: an item not named in the handler's
     * {@link BatchResult} succeeded; every item fails with what the handler threw (or a null result).
     */
    <T> List<Result> invokeBatch(
            String type, BatchHandler<T> handler, List<HandlerRun> runs, List<BatchItem<T>> items) {
        List<HandlerRun> siblings = List.copyOf(runs);
        runs.forEach(run -> run.batch = siblings);
        running.addAll(runs); // from here the sweep watches every item
        BatchResult result = null;
        Throwable error = null;
        long startNanos = System.nanoTime();
        metrics.workersActive().incrementAndGet();
        try {
            if (abandonment.isAbandoned()) {
                runs.forEach(HandlerRun::cancel);
            }
            result = handler.handle(Collections.unmodifiableList(items));
            if (result == null) {
                error = new IllegalStateException("the batch handler of job type '" + type + "' returned null");
            }
        } catch (Throwable t) {
            error = t;
        } finally {
            metrics.workersActive().decrementAndGet();
            runs.forEach(running::remove);
        }
        long nanos = System.nanoTime() - startNanos;
        List<Result> results = new ArrayList<>(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            Throwable itemError =
                    error != null ? error : result.failureOf(items.get(i)).orElse(null);
            results.add(decide(runs.get(i), itemError, nanos));
        }
        return results;
    }

    /** Decides {@code run} for its returned handler, unless its timeout or giving up came first. */
    private static Result decide(HandlerRun run, Throwable error, long nanos) {
        boolean first = run.decide();
        if (first) {
            run.releasePermit();
        }
        Thread.interrupted(); // a stale interrupt (a timeout) must not disturb writing the outcome or giving back rules
        return first ? new Result.Returned(error, nanos) : new Result.Overtaken();
    }

    /**
     * Computes a decided run's outcome with {@code write} on a job thread of its own (so the writes of a batch's items
     * run side by side) and hands it to {@code done}; {@code laneHeld} when the handler may still be running.
     */
    void finishAside(HandlerRun run, Supplier<Outcome> write, boolean laneHeld) {
        start(() -> {
            Outcome outcome;
            try (Scope ignored = run.traceContext().makeCurrent()) {
                outcome = write.get();
            } catch (Throwable t) {
                LOG.error("job_abandoned reason=internal_error error={}", t.toString(), t);
                outcome = new Abandoned("internal error: " + t);
            }
            run.done.accept(new Completion(run.work, outcome, false, laneHeld));
        });
    }

    /**
     * Gives up on every running handler: each undecided run is cancelled, its thread interrupted, its slot given back
     * and its outcome {@code Abandoned}.
     */
    void abandon() {
        for (HandlerRun run : running) {
            if (run.decide()) {
                run.cancel();
                run.releasePermit();
                run.done.accept(new Completion(run.work, new Abandoned("the processor closed before the job ended")));
            }
        }
    }

    /** Stops the sweep and the flush timers. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    private static <T> void call(HandlerRegistration<T> handler, JobContext context, ByteBuffer payload)
            throws Exception {
        T value = handler.reader().read(payload);
        handler.handler().handle(context, value);
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (HandlerRun run : running) {
                if (now - run.deadlineNanos >= 0) {
                    if (run.batch == null) {
                        running.remove(run);
                        if (run.decide()) {
                            timeOut(run);
                        }
                    } else {
                        // decide every item of the batch before interrupting its thread: an item decided after the
                        // interrupt could be reported succeeded by a handler that returns on the interrupt
                        List<HandlerRun> decided = new ArrayList<>(run.batch.size());
                        for (HandlerRun item : run.batch) {
                            running.remove(item);
                            if (item.decide()) {
                                decided.add(item);
                            }
                        }
                        decided.forEach(HandlerRun::markCancelled); // all of them cancelled before interrupting
                        decided.forEach(this::timeOut);
                    }
                }
            }
        } catch (Throwable t) {
            // never let a fault end the periodic sweep: later timeouts must still fire
            LOG.error("timeout_sweep_failed error={}", t.toString(), t);
        }
    }

    /** Cancels a run whose timeout decided its outcome and writes its {@code TIMEOUT} failure. */
    private void timeOut(HandlerRun run) {
        run.cancel();
        run.releasePermit(); // a handler that ignores the interrupt must not hold its type's slot
        metrics.duration(run.job.getType(), "timeout", System.nanoTime() - run.startNanos);
        // the outcome is decided, but the handler may still run: its key's lane waits for its HandlerExited
        finishAside(run, () -> timedOut.apply(run), true);
    }
}
