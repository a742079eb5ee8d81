package io.jobstream.dlq.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the wait before attempt {@code n + 1} after attempt {@code n} failed.
 *
 * <p>The ceiling for failed attempt {@code n} (1-based) is {@code min(max, initial * multiplier^(n-1))}; the wait is
 * drawn from it by the {@link Jitter}. Immutable; validated at construction.
 *
 * @param initial the ceiling after the first failure (must be positive)
 * @param multiplier how much the ceiling grows per attempt (at least 1.0)
 * @param max the largest ceiling (at least {@code initial})
 * @param jitter how the wait is drawn from the ceiling
 */
public record Backoff(Duration initial, double multiplier, Duration max, Jitter jitter) {

    /** The defaults: 1 s initial, multiplier 2.0, at most 1 h, full jitter. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Jitter.FULL);

    /** How a wait is drawn from the ceiling {@code c}. */
    public enum Jitter {
        /** Uniform in {@code [0, c]}: spreads retries best (AWS's "full jitter"). */
        FULL,
        /** {@code c/2} plus uniform in {@code [0, c/2]}: never shorter than half the ceiling. */
        EQUAL,
        /** Exactly {@code c}. */
        NONE
    }

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(jitter, "jitter");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial must be positive, got " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be at least 1.0, got " + multiplier);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff max (" + max + ") must not be shorter than initial (" + initial + ")");
        }
    }

    /** The ceiling after failed attempt {@code attempt} (1-based; smaller values count as 1). */
    public Duration ceiling(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }

    /** The wait after failed attempt {@code attempt}, drawn with {@code random}. */
    public Duration delay(int attempt, RandomGenerator random) {
        long ceiling = ceiling(attempt).toMillis();
        return switch (jitter) {
            case FULL -> Duration.ofMillis(Math.round(random.nextDouble() * ceiling));
            case EQUAL -> Duration.ofMillis(ceiling / 2 + Math.round(random.nextDouble() * (ceiling - ceiling / 2)));
            case NONE -> Duration.ofMillis(ceiling);
        };
    }
}
