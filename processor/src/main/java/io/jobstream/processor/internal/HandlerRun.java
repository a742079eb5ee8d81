package io.jobstream.processor.internal;

import io.jobstream.coordination.Coordination;
import io.jobstream.processor.JobContext;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.schemas.Job;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One run of a handler for one job (a batch runs one per item, all on the batch's thread): the job's {@link
 * JobContext}, and who decides its outcome first: the handler's return, its timeout, or the runner giving up ({@link
 * #decide()}, true once). Whoever decides gives back the type's in-flight slot ({@link #releasePermit()}).
 *
 * <p>Thread-safe: read by the handler, decided and cancelled by its own thread, the timeout sweep or the closing thread.
 */
final class HandlerRun implements JobContext {
    final Work work;
    final Job job;
    final Duration timeout;
    final Consumer<Completion> done;
    final long startNanos = System.nanoTime();
    final long deadlineNanos;
    private final String queue;
    private final Instant deadline;
    private final Thread thread;
    private final AtomicBoolean decided = new AtomicBoolean();
    private final Semaphore permit;
    private final AtomicBoolean permitHeld;
    private final Guards.Held held;
    private final Coordination coordination;
    private final Context trace;
    private volatile boolean cancelled;
    /** Every run of the batch this run belongs to (itself included), or null for a single job. */
    volatile List<HandlerRun> batch;

    /**
     * A run of {@code job} on {@code thread} until {@code deadline} ({@code timeout} from now), holding {@code permit}
     * (the type's in-flight slot, or null) and {@code held} (what its coordination rules took, or null), within
     * {@code trace} (the job's {@code process} span).
     */
    HandlerRun(
            Work work,
            Job job,
            String queue,
            Instant deadline,
            Duration timeout,
            Thread thread,
            Consumer<Completion> done,
            Semaphore permit,
            Guards.Held held,
            Coordination coordination,
            Context trace) {
        this.work = work;
        this.job = job;
        this.queue = queue;
        this.deadline = deadline;
        this.timeout = timeout;
        this.deadlineNanos = startNanos + timeout.toNanos();
        this.thread = thread;
        this.done = done;
        this.permit = permit;
        this.permitHeld = new AtomicBoolean(permit != null);
        this.held = held;
        this.coordination = coordination;
        this.trace = trace;
    }

    /** Gives the type's in-flight slot back, once, by whoever decided the outcome. */
    void releasePermit() {
        if (permitHeld.getAndSet(false)) {
            permit.release();
        }
    }

    /** True for whoever decides the outcome first. */
    boolean decide() {
        return decided.compareAndSet(false, true);
    }

    /** Marks the run cancelled ({@link #isCancelled()}) without interrupting its thread. */
    void markCancelled() {
        cancelled = true;
    }

    /** Marks the run cancelled and interrupts its thread. */
    void cancel() {
        cancelled = true;
        thread.interrupt();
    }

    @Override
    public String id() {
        return job.getId();
    }

    @Override
    public String type() {
        return job.getType();
    }

    @Override
    public int attempt() {
        return job.getAttempt();
    }

    @Override
    public Optional<String> orderingKey() {
        return job.getOrderingKey();
    }

    @Override
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(job.getHeaders());
    }

    @Override
    public String queue() {
        return queue;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public OptionalLong fencingToken() {
        return held == null ? OptionalLong.empty() : held.fencingToken();
    }

    @Override
    public Optional<Coordination> coordination() {
        return Optional.ofNullable(coordination);
    }

    @Override
    public Context traceContext() {
        return trace;
    }
}
