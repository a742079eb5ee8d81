package io.jobstream.api.internal;

import io.jobstream.producer.JobReceipt;
import java.security.MessageDigest;
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
 * oldest are forgotten. Keys are scoped by the caller ({@link IdempotencyScope}: token and queue); a key reused with
 * another body is a conflict ({@code 409}). Thread-safe; never blocks while holding its lock.
 */
public final class IdempotencyCache {
    private final int capacity;
    private final Duration retention;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private record Entry(CompletableFuture<JobReceipt> receipt, long createdAt, byte[] fingerprint) {}

    /**
     * A claim on a key.
     *
     * @param receipt the outcome of the publish that holds the key
     * @param first true when this caller must publish and complete {@code receipt}; false for a repeat
     * @param conflict true when the key is held by a request with another fingerprint (another body): the caller
     *     answers {@code 409} and {@code receipt} is not its to use
     */
    public record Claim(CompletableFuture<JobReceipt> receipt, boolean first, boolean conflict) {}

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
        return claim(key, new byte[0]);
    }

    /**
     * As {@link #claim(String)}, remembering the request's {@code fingerprint} (a digest of its body): a later claim
     * of the key with another fingerprint is a {@link Claim#conflict() conflict}, never the first request's receipt.
     */
    public Claim claim(String key, byte[] fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        CompletableFuture<JobReceipt> mine = new CompletableFuture<>();
        synchronized (this) {
            long now = clock.millis();
            purge(now);
            Entry existing = entries.get(key);
            if (existing != null) {
                boolean same = MessageDigest.isEqual(existing.fingerprint(), fingerprint);
                return new Claim(existing.receipt(), false, !same);
            }
            entries.put(key, new Entry(mine, now, fingerprint.clone()));
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
        return new Claim(mine, true, false);
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
