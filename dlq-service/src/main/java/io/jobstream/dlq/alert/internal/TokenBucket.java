package io.jobstream.dlq.alert.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A token bucket on an injected time line: {@code ratePerSecond} tokens a second, at most {@code burst}. Not thread-safe. */
public final class TokenBucket {
    private final double ratePerSecond;
    private final int burst;
    private double tokens;
    private Instant refilledAt;

    public TokenBucket(double ratePerSecond, int burst, Instant now) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** Takes a token and returns empty, or returns when the next token is there. */
    public Optional<Instant> tryTake(Instant now) {
        if (now.isAfter(refilledAt)) {
            double seconds = Duration.between(refilledAt, now).toNanos() / 1e9;
            tokens = Math.min(burst, tokens + seconds * ratePerSecond);
            refilledAt = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return Optional.empty();
        }
        long nanos = (long) Math.ceil((1 - tokens) / ratePerSecond * 1e9);
        return Optional.of(now.plusNanos(Math.max(1, nanos)));
    }
}
