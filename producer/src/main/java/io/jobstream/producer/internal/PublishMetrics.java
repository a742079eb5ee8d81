package io.jobstream.producer.internal;

import io.jobstream.producer.PublisherMeters;
import io.jobstream.runtime.TagValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The publisher's counter {@code jobstream.jobs.published}, tagged {@code queue}, {@code type} and {@code outcome}
 * ({@code acknowledged}, {@code rejected}, {@code failed}). Counters are cached per tag combination and found without
 * allocating (this runs once per published job). Thread-safe.
 */
public final class PublishMetrics {
    /** The {@code outcome} tag's values. */
    public enum Outcome {
        /** Kafka acknowledged the job. */
        ACKNOWLEDGED,
        /** Refused before sending (invalid job, unknown queue...). */
        REJECTED,
        /** Sending failed or Kafka did not acknowledge it. */
        FAILED;

        private final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final MeterRegistry registry;
    /** queue → type → counters by {@link Outcome#ordinal()}, registered on first use. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicReferenceArray<Counter>>> counters =
            new ConcurrentHashMap<>();

    /** queue → the type tag's values: types come from clients, so each queue keeps at most {@link
     * TagValues#DEFAULT_MAX} of them, the rest counted as {@value TagValues#OTHER}. */
    private final ConcurrentHashMap<String, TagValues> types = new ConcurrentHashMap<>();

    /** Metrics registered in {@code registry}. */
    public PublishMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts one job with {@code outcome}. */
    public void count(String queue, String type, Outcome outcome) {
        String tag = types.computeIfAbsent(queue, q -> new TagValues(TagValues.DEFAULT_MAX))
                .of(type);
        AtomicReferenceArray<Counter> byOutcome = counters.computeIfAbsent(queue, q -> new ConcurrentHashMap<>())
                .computeIfAbsent(tag, t -> new AtomicReferenceArray<>(Outcome.values().length));
        Counter counter = byOutcome.get(outcome.ordinal());
        if (counter == null) {
            // Two threads may both get here: the registry hands both the same counter, so either write is right.
            counter = PublisherMeters.JOBS_PUBLISHED
                    .counter("queue", queue, "type", tag, "outcome", outcome.tag)
                    .register(registry);
            byOutcome.set(outcome.ordinal(), counter);
        }
        counter.increment();
    }
}
