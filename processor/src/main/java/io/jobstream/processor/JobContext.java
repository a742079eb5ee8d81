package io.jobstream.processor;

import io.jobstream.coordination.Coordination;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a handler knows about the job it runs. One per run; safe to read from any thread.
 *
 * <p>{@link #isCancelled()} turns true, and the handler's thread is interrupted, when the job's timeout passes or the
 * processor gives up waiting for it while closing. A cancelled job's outcome is already decided ({@code TIMEOUT}), so
 * the handler should stop as soon as it can.
 */
public interface JobContext {

    /** The job's id (a ULID unless its publisher chose another). */
    String id();

    /** The job's type, which selected the handler. */
    String type();

    /** 1 for the first run, incremented on each retry. */
    int attempt();

    /** The job's ordering key, if it has one. */
    Optional<String> orderingKey();

    /** The job's free-form headers (not the Kafka record headers). */
    Map<String, String> headers();

    /** The queue the job came from. */
    String queue();

    /** When this run times out. */
    Instant deadline();

    /** Whether the run was cancelled (timed out, or abandoned on close); the thread is interrupted too. */
    boolean isCancelled();

    /**
     * The fencing token of the lock the job's type declares ({@link CoordinationRules#lock()}), held while the handler
     * runs: pass it to a resource that refuses tokens lower than the highest it has seen. Empty when the type declares
     * no lock.
     */
    default OptionalLong fencingToken() {
        return OptionalLong.empty();
    }

    /**
     * The coordination store the processor was given, for a handler that takes locks, permits or rate tokens itself.
     * Empty when the processor has none.
     */
    default Optional<Coordination> coordination() {
        return Optional.empty();
    }

    /**
     * The OpenTelemetry context of this run: its {@code process <queue>} span, a child of the job's {@code
     * traceParent}. A handler runs with it current already ({@code Span.current()}, and anything instrumented it calls,
     * joins the job's trace); a batch handler takes each item's from its context. With no OpenTelemetry SDK installed
     * it carries the job's {@code traceParent} as a remote parent, or nothing.
     */
    default Context traceContext() {
        return Context.root();
    }
}
