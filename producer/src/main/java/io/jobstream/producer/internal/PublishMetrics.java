package io.jobstream.producer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publisher's counter {@code jobstream.jobs.published}, tagged {@code queue}, {@code type} and {@code outcome}
 * ({@code acknowledged}, {@code rejected}, {@code failed}). Counters are cached per tag combination. Thread-safe.
 */
public final class PublishMetrics {
    /** The counter's name. */
    public static final String PUBLISHED = "jobstream.jobs.published";

    private record Tags(String queue, String type, String outcome) {}

    private final MeterRegistry registry;
    private final Map<Tags, Counter> counters = new ConcurrentHashMap<>();

    /** Metrics registered in {@code registry}. */
    public PublishMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts one job with {@code outcome}. */
    public void count(String queue, String type, String outcome) {
        counters.computeIfAbsent(new Tags(queue, type, outcome), tags -> Counter.builder(PUBLISHED)
                        .description("Jobs handed to the publisher, by outcome: acknowledged by Kafka, rejected"
                                + " before sending, or failed while sending")
                        .tag("queue", tags.queue())
                        .tag("type", tags.type())
                        .tag("outcome", tags.outcome())
                        .register(registry))
                .increment();
    }
}
