package io.jobstream.dlq.retry.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.runtime.TagValues;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The failure router's meters: {@code jobstream.retries.scheduled} and {@code jobstream.dead-letters} (tags {@code
 * queue}, {@code type}, {@code reason}), {@code jobstream.dlq.undecodable-failures} and {@code
 * jobstream.router.duplicates} ({@code queue}), built from their {@link DlqMeters} entries. Thread-safe.
 */
public final class RouterMetrics {
    private final MeterRegistry registry;
    private final String queue;
    /** Types come from the jobs: at most {@link TagValues#DEFAULT_MAX} keep their own series, the rest are "other". */
    private final TagValues types = new TagValues(TagValues.DEFAULT_MAX);

    public RouterMetrics(MeterRegistry registry, String queue) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    void retryScheduled(String type, String reason) {
        DlqMeters.RETRIES_SCHEDULED
                .counter("queue", queue, "type", types.of(type), "reason", reason)
                .register(registry)
                .increment();
    }

    void deadLettered(String type, String reason) {
        DlqMeters.DEAD_LETTERS
                .counter("queue", queue, "type", types.of(type), "reason", reason)
                .register(registry)
                .increment();
    }

    void duplicate() {
        DlqMeters.ROUTER_DUPLICATES.counter("queue", queue).register(registry).increment();
    }

    void undecodable() {
        DlqMeters.UNDECODABLE_FAILURES
                .counter("queue", queue)
                .register(registry)
                .increment();
    }
}
