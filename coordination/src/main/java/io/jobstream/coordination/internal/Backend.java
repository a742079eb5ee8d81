package io.jobstream.coordination.internal;

import java.time.Clock;
import java.time.Duration;

/**
 * The store operations every primitive is built from; one implementation per store ({@link RedisBackend}, {@link
 * InMemoryBackend}). Each operation is atomic in the store. Implementations are thread-safe and throw {@link
 * io.jobstream.coordination.CoordinationUnavailableException} when the store cannot be reached.
 */
public interface Backend extends AutoCloseable {

    /** The store's location for messages (password masked). */
    String location();

    /** The clock local lease bookkeeping uses. */
    Clock clock();

    Grant lockAcquire(String name, String holder, Duration lease);

    boolean lockRenew(String name, String holder, long token, Duration lease);

    boolean lockRelease(String name, String holder, long token);

    boolean lockHeld(String name, String holder, long token);

    Grant permitAcquire(String name, int permits, String permitId, Duration lease);

    boolean permitRenew(String name, String permitId, Duration lease);

    boolean permitRelease(String name, String permitId);

    boolean permitHeld(String name, String permitId);

    int permitsHeld(String name);

    Grant rateAcquire(String name, double permitsPerSecond, int burst);

    /** {@link Grant#granted()}: claimed; {@link Grant#done()}: already done; else busy for {@code retryAfter}. */
    Grant claim(String jobId, String holder, Duration lease);

    boolean claimRenew(String jobId, String holder, Duration lease);

    boolean claimHeld(String jobId, String holder);

    boolean claimDone(String jobId, String holder, Duration retention);

    boolean claimRelease(String jobId, String holder);

    /**
     * Starts listening for releases of the lock or semaphore {@code channel} ({@link Keys#lockReleased}, {@link
     * Keys#semaphoreReleased}); register before the attempt whose failure leads to waiting, so no release is missed.
     */
    ReleaseWatch watch(String channel);

    @Override
    void close();

    /** A registration for release notifications of one channel. */
    interface ReleaseWatch extends AutoCloseable {

        /** Returns when a release was announced since the last call (or registration), or after {@code max}. */
        void await(Duration max) throws InterruptedException;

        @Override
        void close();
    }
}
