package io.jobstream.api.internal;

import io.jobstream.runtime.http.HttpProblem;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts requests in flight and stops admitting new ones at shutdown, so closing can wait for the rest; each guarded
 * request is traced as a server span ({@link ServerSpans}).
 */
public final class Admission {
    private final ServerSpans spans;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean closed;

    /** Admission tracing each guarded request with {@code openTelemetry}. */
    public Admission(OpenTelemetry openTelemetry) {
        this.spans = new ServerSpans(openTelemetry);
    }

    /** Admits a request, unless closed; every {@code true} must be matched by {@link #exit()}. */
    public boolean enter() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A request finished. */
    public void exit() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code inner} as one of the API's routes: admitted (a {@code 503 SHUTTING_DOWN} once closing), its problems
     * answered as their responses, and its answer counted in {@code metrics} under {@code route}, within a server span.
     */
    public Route guarded(String route, ApiMetrics metrics, Route inner) {
        return spans.traced(route, request -> {
            long started = System.nanoTime();
            HttpResponse response;
            boolean admitted = enter();
            try {
                if (!admitted) {
                    throw new ApiProblem(
                            503,
                            "SHUTTING_DOWN",
                            "the server is shutting down",
                            Optional.of(Publishing.RETRY_AFTER_UNAVAILABLE));
                }
                response = inner.handle(request);
            } catch (HttpProblem problem) {
                response = HttpResponse.problem(problem);
            } finally {
                if (admitted) {
                    exit();
                }
            }
            metrics.record(route, response.status(), System.nanoTime() - started);
            return response;
        });
    }

    /**
     * Stops admitting and waits up to {@code timeout} for requests in flight.
     *
     * @return whether every request finished in time
     */
    public boolean closeAndAwait(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            long remaining = timeout.toNanos();
            while (inFlight > 0 && remaining > 0) {
                remaining = idle.awaitNanos(remaining);
            }
            return inFlight == 0;
        } finally {
            lock.unlock();
        }
    }
}
