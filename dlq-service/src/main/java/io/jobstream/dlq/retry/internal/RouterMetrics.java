package io.jobstream.dlq.retry.internal;

import io.jobstream.runtime.TagValues;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The failure router's meters: {@code jobstream.retries.scheduled} and {@code jobstream.dead-letters} (tags {@code
 * queue}, {@code type}, {@code reason}), {@code jobstream.dlq.undecodable-failures} and {@code
 * jobstream.router.duplicates} ({@code queue}). Thread-safe.
 */
public final class RouterMetrics {
    /** Retries the router scheduled. */
    public static final String RETRIES_SCHEDULED = "jobstream.retries.scheduled";
    /** Jobs the router dead-lettered. */
    public static final String DEAD_LETTERS = "jobstream.dead-letters";
    /** Records on {@code <queue>.failed} that could not be decoded (dead-lettered with their raw bytes). */
    public static final String UNDECODABLE = "jobstream.dlq.undecodable-failures";
    /** Failures of an attempt already routed (a re-run after a crash), dropped instead of routed again. */
    public static final String DUPLICATES = "jobstream.router.duplicates";

    private final MeterRegistry registry;
    private final String queue;
    /** Types come from the jobs: at most {@link TagValues#DEFAULT_MAX} keep their own series, the rest are "other". */
    private final TagValues types = new TagValues(TagValues.DEFAULT_MAX);

    public RouterMetrics(MeterRegistry registry, String queue) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    void retryScheduled(String type, String reason) {
        registry.counter(RETRIES_SCHEDULED, "queue", queue, "type", types.of(type), "reason", reason)
                .increment();
    }

    void deadLettered(String type, String reason) {
        registry.counter(DEAD_LETTERS, "queue", queue, "type", types.of(type), "reason", reason)
                .increment();
    }

    void duplicate() {
        registry.counter(DUPLICATES, "queue", queue).increment();
    }

    void undecodable() {
        registry.counter(UNDECODABLE, "queue", queue).increment();
    }
}
