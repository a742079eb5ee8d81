package io.jobstream.coordination.internal;

import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.coordination.RateDecision;
import io.jobstream.coordination.RateLimiter;
import io.jobstream.coordination.RateLimiterFailureMode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A GCRA rate limiter on a {@link Backend}, failing open or closed as configured. */
final class BackendRateLimiter implements RateLimiter {

    private static final System.Logger LOG = System.getLogger(BackendRateLimiter.class.getName());

    private final Backend backend;
    private final String name;
    private final double permitsPerSecond;
    private final int burst;
    private final RateLimiterFailureMode failureMode;
    private final AtomicBoolean failingOpen = new AtomicBoolean();

    BackendRateLimiter(
            Backend backend, String name, double permitsPerSecond, int burst, RateLimiterFailureMode failureMode) {
        this.backend = backend;
        this.name = name;
        this.permitsPerSecond = permitsPerSecond;
        this.burst = burst;
        this.failureMode = failureMode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    @Override
    public int burst() {
        return burst;
    }

    @Override
    public RateDecision tryAcquire() {
        Grant grant;
        try {
            grant = backend.rateAcquire(name, permitsPerSecond, burst);
        } catch (CoordinationUnavailableException e) {
            if (failureMode == RateLimiterFailureMode.FAIL_OPEN) {
                if (failingOpen.compareAndSet(false, true)) {
                    LOG.log(
                            Level.WARNING,
                            "event=rate-limiter-failing-open limiter={0} error=\"{1}\"",
                            name,
                            e.getMessage());
                }
                return new RateDecision.Granted(true);
            }
            throw e;
        }
        if (failingOpen.compareAndSet(true, false)) {
            LOG.log(Level.INFO, "event=rate-limiter-recovered limiter={0}", name);
        }
        return grant.granted() ? new RateDecision.Granted(false) : new RateDecision.Denied(grant.retryAfter());
    }

    @Override
    public Optional<Duration> acquire(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative (was " + timeout + ")");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            RateDecision decision = tryAcquire();
            if (decision instanceof RateDecision.Denied(Duration retryAfter)) {
                long wakeAt = System.nanoTime() + retryAfter.toNanos();
                if (wakeAt - deadline > 0) {
                    return Optional.empty();
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(retryAfter.toNanos());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for rate limiter " + name);
                }
            } else {
                return Optional.of(Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }
}
