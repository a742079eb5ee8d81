package io.jobstream.api.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per client, local to this process: {@code rate} requests per second sustained, {@code burst} at
 * once. A cluster-wide limit would use the coordination module's rate limiter instead. Thread-safe.
 */
public final class RateLimits {
    private final double rate;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * Buckets of {@code rate} requests per second and {@code burst} capacity; {@code rate} 0 means no limit.
     *
     * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public RateLimits(double rate, int burst, LongSupplier nanoTime) {
        if (rate < 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be >= 0 and burst >= 1, got " + rate + " and " + burst);
        }
        this.rate = rate;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one request from {@code client}'s bucket.
     *
     * @return empty when allowed; otherwise how long until the next request would be
     */
    public Optional<Duration> tryAcquire(String client) {
        if (rate == 0) {
            return Optional.empty();
        }
        return buckets.computeIfAbsent(client, c -> new Bucket(burst, nanoTime.getAsLong()))
                .take(nanoTime.getAsLong());
    }

    private final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized Optional<Duration> take(long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * rate / 1e9);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) * 1e9 / rate)));
        }
    }
}
