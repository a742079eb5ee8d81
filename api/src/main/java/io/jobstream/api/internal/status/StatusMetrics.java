package io.jobstream.api.internal.status;

import io.jobstream.api.ApiMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The projection's meters: {@code jobstream.status.events} (tag {@code outcome}: applied, late, duplicate,
 * unknown_state, undecodable, misrouted, error), {@code jobstream.status.enqueued} (ENQUEUED read from the queue
 * topics), {@code jobstream.status.purged} (jobs dropped after their retention) and {@code jobstream.status.event.delay}
 * (from an event's time to its fold: the projection's lag in time), built from their {@link ApiMeters} entries.
 * Thread-safe.
 */
public final class StatusMetrics {
    private final Counter applied;
    private final Counter late;
    private final Counter duplicate;
    private final Counter unknownState;
    private final Counter undecodable;
    private final Counter misrouted;
    private final Counter error;
    private final Counter enqueued;
    private final Counter purged;
    private final Timer delay;

    /** Meters in {@code registry}. */
    public StatusMetrics(MeterRegistry registry) {
        this.applied = events(registry, "applied");
        this.late = events(registry, "late");
        this.duplicate = events(registry, "duplicate");
        this.unknownState = events(registry, "unknown_state");
        this.undecodable = events(registry, "undecodable");
        this.misrouted = events(registry, "misrouted");
        this.error = events(registry, "error");
        this.enqueued = ApiMeters.STATUS_ENQUEUED.counter().register(registry);
        this.purged = ApiMeters.STATUS_PURGED.counter().register(registry);
        this.delay = ApiMeters.STATUS_EVENT_DELAY.timer().register(registry);
    }

    private static Counter events(MeterRegistry registry, String outcome) {
        return ApiMeters.STATUS_EVENTS.counter("outcome", outcome).register(registry);
    }

    void folded(StoredStatus.Outcome outcome) {
        switch (outcome) {
            case APPLIED -> applied.increment();
            case LATE -> late.increment();
            case DUPLICATE -> duplicate.increment();
            case UNKNOWN_STATE -> unknownState.increment();
        }
    }

    void undecodable() {
        undecodable.increment();
    }

    void misrouted() {
        misrouted.increment();
    }

    void error() {
        error.increment();
    }

    void enqueued() {
        enqueued.increment();
    }

    void purged(int count) {
        purged.increment(count);
    }

    void delay(long millis) {
        delay.record(Duration.ofMillis(Math.max(0, millis)));
    }
}
