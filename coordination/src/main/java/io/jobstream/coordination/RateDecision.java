package io.jobstream.coordination;

import java.time.Duration;
import java.util.Objects;

/** The answer of {@link RateLimiter#tryAcquire()}. */
public sealed interface RateDecision {

    /** A permit was taken. {@code failedOpen} is true when it was granted only because the store was unreachable. */
    record Granted(boolean failedOpen) implements RateDecision {}

    /** No permit now; the next one is due in {@code retryAfter}. */
    record Denied(Duration retryAfter) implements RateDecision {
        public Denied {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    default boolean granted() {
        return this instanceof Granted;
    }
}
