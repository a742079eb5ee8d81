package io.jobstream.dlq.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** What happens to a failed job: another attempt later, or the dead-letter queue. */
public sealed interface RetryDecision {

    /**
     * Run the job again.
     *
     * @param nextAttempt the attempt number the job gets (the failed one plus 1)
     * @param delay the backoff drawn for it
     * @param dueAt when it may run again
     */
    record Retry(int nextAttempt, Duration delay, Instant dueAt) implements RetryDecision {
        public Retry {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(dueAt, "dueAt");
        }
    }

    /**
     * Do not run the job again: dead-letter it.
     *
     * @param cause why
     * @param detail one line for logs and the event's error
     */
    record GiveUp(Cause cause, String detail) implements RetryDecision {
        public GiveUp {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why a job is not retried. */
    enum Cause {
        /** The failure carries no decodable job (its bytes were undecodable). */
        NO_JOB,
        /** The failure reason is never retried (DECODE_ERROR, UNKNOWN_SCHEMA, UNKNOWN_TYPE, EXPIRED, REJECTED, or configured). */
        NON_RETRYABLE_REASON,
        /** The exception class is configured as non-retryable. */
        NON_RETRYABLE_ERROR,
        /** The worker marked the failure as not retryable. */
        MARKED_NOT_RETRYABLE,
        /** The job used its last attempt. */
        ATTEMPTS_EXHAUSTED,
        /** The job would expire before its next attempt is due. */
        EXPIRES_BEFORE_RETRY,
        /** The next attempt (the job with its failure history) is larger than its delay tier takes. */
        TOO_LARGE_TO_RETRY
    }
}
