package io.jobstream.dlq.retry;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * How one job type is retried: attempts, backoff, and what is never retried. Immutable; validated at construction.
 *
 * <p>{@link #ALWAYS_NON_RETRYABLE} reasons are never retried whatever the configuration says; {@code
 * nonRetryableReasons} may add more (such as {@code TIMEOUT}). {@code nonRetryableErrors} are exception class names
 * compared exactly with {@link JobFailure#getErrorClass()}.
 *
 * @param maxAttempts attempts a job gets when it does not set {@link Job#getMaxAttempts()} itself (at least 1)
 * @param backoff the wait between attempts
 * @param nonRetryableReasons reasons never retried; always includes {@link #ALWAYS_NON_RETRYABLE}
 * @param nonRetryableErrors exception class names never retried
 */
public record RetryPolicy(
        int maxAttempts, Backoff backoff, Set<FailureReason> nonRetryableReasons, Set<String> nonRetryableErrors) {

    /** Reasons no retry can fix. */
    public static final Set<FailureReason> ALWAYS_NON_RETRYABLE = Set.copyOf(EnumSet.of(
            FailureReason.DECODE_ERROR,
            FailureReason.UNKNOWN_SCHEMA,
            FailureReason.UNKNOWN_TYPE,
            FailureReason.EXPIRED,
            FailureReason.REJECTED));

    /** The default attempts: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** The defaults: 5 attempts, {@link Backoff#DEFAULT}, only {@link #ALWAYS_NON_RETRYABLE} reasons. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(DEFAULT_MAX_ATTEMPTS, Backoff.DEFAULT, ALWAYS_NON_RETRYABLE, Set.of());

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(nonRetryableReasons, "nonRetryableReasons");
        Objects.requireNonNull(nonRetryableErrors, "nonRetryableErrors");
        EnumSet<FailureReason> reasons = EnumSet.copyOf(ALWAYS_NON_RETRYABLE);
        reasons.addAll(nonRetryableReasons);
        nonRetryableReasons = Set.copyOf(reasons);
        nonRetryableErrors = Set.copyOf(nonRetryableErrors);
    }

    /** The attempts {@code job} gets: its own {@code maxAttempts} when set (and positive), else this policy's. */
    public int maxAttemptsOf(Job job) {
        Integer own = job.getMaxAttempts().orElse(null);
        return own != null && own > 0 ? own : maxAttempts;
    }

    /**
     * Decides what happens to a failure whose record could not be decoded, the {@code decodeAttempt}-th time its raw
     * bytes were tried: only a retryable {@link FailureReason#REGISTRY_UNAVAILABLE} (the schema registry was down) is
     * retried, with this policy's attempts and backoff (the job's own settings cannot be read); every other
     * undecodable record is given up at once.
     */
    public RetryDecision decideUndecoded(JobFailure failure, int decodeAttempt, Instant now, RandomGenerator random) {
        if (failure.getReason() != FailureReason.REGISTRY_UNAVAILABLE || !failure.getRetryable()) {
            return new RetryDecision.GiveUp(RetryDecision.Cause.NO_JOB, "the failure holds no decodable job");
        }
        if (nonRetryableReasons.contains(failure.getReason())) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.NON_RETRYABLE_REASON, "reason " + failure.getReason() + " is not retried");
        }
        int attempt = Math.max(1, decodeAttempt);
        if (attempt >= maxAttempts) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.ATTEMPTS_EXHAUSTED,
                    "the schema registry was unavailable for " + attempt + " of " + maxAttempts + " attempts");
        }
        var delay = backoff.delay(attempt, random);
        return new RetryDecision.Retry(attempt + 1, delay, now.plus(delay));
    }

    /**
     * Decides what happens to {@code failure}, seen at {@code now}; {@code random} draws the jitter.
     *
     * <p>In order: no job → give up; the worker marked it not retryable, or its reason or error class is
     * non-retryable → give up; the failed attempt was the last → give up; the next attempt would be due after the
     * job's {@code expiresAt} → give up; otherwise retry with attempt + 1 after {@link Backoff#delay}.
     */
    public RetryDecision decide(JobFailure failure, Instant now, RandomGenerator random) {
        Job job = failure.getJob().orElse(null);
        if (job == null) {
            return new RetryDecision.GiveUp(RetryDecision.Cause.NO_JOB, "the failure holds no decodable job");
        }
        FailureReason reason = failure.getReason();
        if (nonRetryableReasons.contains(reason)) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.NON_RETRYABLE_REASON, "reason " + reason + " is not retried");
        }
        String errorClass = failure.getErrorClass().orElse(null);
        if (errorClass != null && nonRetryableErrors.contains(errorClass)) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.NON_RETRYABLE_ERROR, "error " + errorClass + " is not retried");
        }
        if (!failure.getRetryable()) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.MARKED_NOT_RETRYABLE, "the worker marked the failure not retryable");
        }
        int attempt = Math.max(1, job.getAttempt());
        int max = maxAttemptsOf(job);
        if (attempt >= max) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.ATTEMPTS_EXHAUSTED, "attempt " + attempt + " of " + max + " failed");
        }
        var delay = backoff.delay(attempt, random);
        Instant dueAt = now.plus(delay);
        Instant expiresAt = job.getExpiresAt().orElse(null);
        if (expiresAt != null && dueAt.isAfter(expiresAt)) {
            return new RetryDecision.GiveUp(
                    RetryDecision.Cause.EXPIRES_BEFORE_RETRY,
                    "the next attempt would be due at " + dueAt + ", after the job expires at " + expiresAt);
        }
        return new RetryDecision.Retry(attempt + 1, delay, dueAt);
    }
}
