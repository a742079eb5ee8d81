package io.jobstream.processor.internal;

import java.util.concurrent.TimeUnit;

/**
 * Whether the runner gave up on its work (the processor's close budget ran out, or it closed), and the backoff every
 * retry of the runner waits through: {@value #MIN_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms, ended early
 * only by giving up.
 *
 * <p>Thread-safe: set once by the poll thread (or the closing thread), read by job, sender and sweep threads.
 */
final class Abandonment {
    /** The first backoff of a retry, in ms. */
    static final long MIN_BACKOFF_MS = 100;
    /** The longest backoff of a retry, in ms. */
    static final long MAX_BACKOFF_MS = 5_000;

    private volatile boolean abandoned;

    /** Gives up: retries stop, jobs not yet started do not start. Idempotent. */
    void abandon() {
        abandoned = true;
    }

    boolean isAbandoned() {
        return abandoned;
    }

    /** The backoff after one of {@code backoff} ms: twice as long, at most {@link #MAX_BACKOFF_MS}. */
    static long next(long backoff) {
        return Math.min(backoff * 2, MAX_BACKOFF_MS);
    }

    /**
     * Sleeps {@code millis} (a retry backoff); false when the runner gave up meanwhile. Interrupts do not end it: only
     * {@link #abandon()} does.
     */
    boolean pause(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!abandoned) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                // only abandon() ends a backoff early
            }
        }
        return false;
    }
}
