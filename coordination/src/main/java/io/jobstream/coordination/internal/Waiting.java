package io.jobstream.coordination.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The wait loop of locks and semaphores: one attempt; when busy, register for release notifications, try again, and
 * wait for a notification or a bounded poll (the poll interval, the store's retry hint, the time left: whichever is
 * shortest) before the next attempt. Never a busy loop.
 */
final class Waiting {

    private Waiting() {}

    /**
     * @param attempt one store attempt
     * @param onGrant turns a granted {@link Grant} into the held lease
     * @return the lease, or empty when nothing was granted within {@code maxWait}
     * @throws java.util.concurrent.CancellationException when interrupted (the flag is kept)
     */
    static <T> Optional<T> acquire(
            Backend backend,
            String channel,
            Duration maxWait,
            Duration pollInterval,
            Supplier<Grant> attempt,
            Function<Grant, T> onGrant) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        Grant grant = attempt.get();
        if (grant.granted()) {
            return Optional.of(onGrant.apply(grant));
        }
        if (maxWait.isZero()) {
            return Optional.empty();
        }
        try (Backend.ReleaseWatch watch = backend.watch(channel)) {
            while (true) {
                grant = attempt.get();
                if (grant.granted()) {
                    return Optional.of(onGrant.apply(grant));
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.empty();
                }
                Duration pause = Duration.ofNanos(remaining);
                if (pollInterval.compareTo(pause) < 0) {
                    pause = pollInterval;
                }
                Duration hint = grant.retryAfter().plusMillis(1);
                if (!grant.retryAfter().isZero() && hint.compareTo(pause) < 0) {
                    pause = hint;
                }
                watch.await(pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting on " + channel);
        }
    }
}
