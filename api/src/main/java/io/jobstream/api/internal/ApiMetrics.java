package io.jobstream.api.internal;

import io.jobstream.api.ApiMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** {@code jobstream.api.requests}: a timer per route template and status. Thread-safe. */
public final class ApiMetrics {
    /** Histogram buckets of request latency: 5 ms to 30 s (a publish waits for Kafka's acknowledgement). */
    static final Duration[] BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000)
            .map(Duration::ofMillis)
            .toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /** Metrics registered in {@code registry}. */
    public ApiMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Records one request to {@code route} (a template such as {@code /webhooks/{name}}) answered {@code status}. */
    public void record(String route, int status, long nanos) {
        timers.computeIfAbsent(route + " " + status, k -> ApiMeters.REQUESTS
                        .timer("route", route, "status", String.valueOf(status))
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
