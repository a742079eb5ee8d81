package io.jobstream.coordination;

import java.time.Duration;

/**
 * Runs each job id at most once at a time and skips it once done: {@link #claim} marks a job id in progress with a
 * lease; {@link Claim.Acquired#markDone(Duration)} keeps it done for a retention; a redelivered id that is done is
 * {@link Claim.AlreadyDone skipped} and one in progress elsewhere is {@link Claim.InProgressElsewhere deferred}.
 * Thread-safe.
 */
public interface IdempotencyGuard {

    /**
     * Claims {@code jobId} for {@code lease}, renewed by a watchdog until done or released.
     *
     * @throws CoordinationUnavailableException when the store is unreachable (fail closed: the job is retried later)
     */
    default Claim claim(String jobId, Duration lease) {
        return claim(jobId, lease, Renewal.WATCHDOG);
    }

    /** As {@link #claim(String, Duration)}, with the given renewal. */
    Claim claim(String jobId, Duration lease, Renewal renewal);
}
