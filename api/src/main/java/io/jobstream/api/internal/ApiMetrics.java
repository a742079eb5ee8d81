package io.jobstream.api.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@code jobstream.api.requests}: a timer per route template and status. Thread-safe. */
public final class ApiMetrics {
    /** The timer's name. */
    public static final String REQUESTS = "jobstream.api.requests";

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /** Metrics registered in {@code registry}. */
    public ApiMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Records one request to {@code route} (a template such as {@code /webhooks/{name}}) answered {@code status}. */
    public void record(String route, int status, long nanos) {
        timers.computeIfAbsent(route + " " + status, k -> Timer.builder(REQUESTS)
                        .description("HTTP ingest API requests, by route template and status")
                        .tag("route", route)
                        .tag("status", String.valueOf(status))
                        .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
