package io.jobstream.producer.internal;

import io.jobstream.producer.JobReceipt;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The receipts of requests that carried an {@code Idempotency-Key}, per process: a repeat of a key within the
 * retention gets the first request's outcome (waiting for it while it is in flight) instead of publishing again.
 * A publish that fails is forgotten, so the client's retry publishes. Bounded: beyond {@code capacity} keys the
 * oldest are forgotten. Thread-safe; never blocks while holding its lock.
 */
public final class IdempotencyCache {
    private final int capacity;
    private final Duration retention;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private record Entry(CompletableFuture<JobReceipt> receipt, long createdAt) {}

    /**
     * A claim on a key.
     *
     * @param receipt the outcome of the publish that holds the key
     * @param first true when this caller must publish and complete {@code receipt}; false for a repeat
     */
    public record Claim(CompletableFuture<JobReceipt> receipt, boolean first) {}

    /** A cache of at most {@code capacity} keys, each kept {@code retention} after its first use. */
    public IdempotencyCache(int capacity, Duration retention, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Claims {@code key}: the first caller (or the first after the key expired or its publish failed) gets a new
     * future to complete; every later caller gets that same future.
     */
    public Claim claim(String key) {
        CompletableFuture<JobReceipt> mine = new CompletableFuture<>();
        synchronized (this) {
            long now = clock.millis();
            purge(now);
            Entry existing = entries.get(key);
            if (existing != null) {
                return new Claim(existing.receipt(), false);
            }
            entries.put(key, new Entry(mine, now));
            while (entries.size() > capacity) {
                Iterator<String> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
        // A failed publish releases the key so that a retry publishes again.
        mine.whenComplete((receipt, error) -> {
            if (error != null) {
                release(key, mine);
            }
        });
        return new Claim(mine, true);
    }

    /** How many keys are held. */
    public synchronized int size() {
        return entries.size();
    }

    private synchronized void release(String key, CompletableFuture<JobReceipt> receipt) {
        Entry entry = entries.get(key);
        if (entry != null && entry.receipt() == receipt) {
            entries.remove(key);
        }
    }

    private void purge(long now) {
        long oldestAllowed = now - retention.toMillis();
        Iterator<Entry> values = entries.values().iterator();
        while (values.hasNext()) {
            if (values.next().createdAt() > oldestAllowed) {
                return;
            }
            values.remove();
        }
    }
}
