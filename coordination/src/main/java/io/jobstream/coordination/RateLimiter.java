package io.jobstream.coordination;

import java.time.Duration;
import java.util.Optional;

/**
 * A rate limit shared by every process using the same name (GCRA, evaluated atomically by the store on the store's
 * clock). Thread-safe. When the store is unreachable it fails as {@link CoordinationConfig#rateLimiterFailureMode()}
 * says.
 */
public interface RateLimiter {

    String name();

    double permitsPerSecond();

    int burst();

    /**
     * Takes one permit if one is available now.
     *
     * @throws CoordinationUnavailableException when the store is unreachable and the limiter fails closed
     */
    RateDecision tryAcquire();

    /**
     * Takes one permit, waiting up to {@code timeout} for it.
     *
     * @return how long this call waited, or empty when no permit could be had within {@code timeout} (it gives up at
     *     once when the store says the next permit comes later than that)
     * @throws CoordinationUnavailableException when the store is unreachable and the limiter fails closed
     * @throws java.util.concurrent.CancellationException when the calling thread is interrupted (its flag is kept)
     */
    Optional<Duration> acquire(Duration timeout);
}
