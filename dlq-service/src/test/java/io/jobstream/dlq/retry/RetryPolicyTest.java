package io.jobstream.dlq.retry;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Backoff FIXED =
            new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.NONE);
    private final RetryPolicy policy = new RetryPolicy(4, FIXED, Set.of(), Set.of());
    private final Random random = new Random(7);

    @Test
    void retriesWithTheNextAttemptAfterTheBackoff() {
        // Given attempt 2 of 4 failed with a handler error
        JobFailure failure = failure(job("send_email", 2), "emails", NOW);
        // When the policy decides
        RetryDecision decision = policy.decide(failure, NOW, random);
        // Then attempt 3 is due after the attempt-2 ceiling (2 s)
        assertThat(decision).isEqualTo(new RetryDecision.Retry(3, Duration.ofSeconds(2), NOW.plusSeconds(2)));
    }

    @Test
    void anUndecodedRecordIsRetriedOnlyWhileTheRegistryWasUnavailableAndWithinThePolicysAttempts() {
        // Given the raw bytes of a record the worker could not decode because the registry was down
        JobFailure unavailable = JobFailure.newBuilder(failure(job("x", 1), "emails", NOW))
                .setJob(null)
                .setRawValue(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1}))
                .setReason(FailureReason.REGISTRY_UNAVAILABLE)
                .build();
        // Then decode attempt 1 is retried as attempt 2 after the attempt-1 backoff; attempt 4 of 4 gives up
        assertThat(policy.decideUndecoded(unavailable, 1, NOW, random))
                .isEqualTo(new RetryDecision.Retry(2, Duration.ofSeconds(1), NOW.plusSeconds(1)));
        assertThat(policy.decideUndecoded(unavailable, 4, NOW, random))
                .isInstanceOfSatisfying(RetryDecision.GiveUp.class, giveUp -> assertThat(giveUp.cause())
                        .isEqualTo(RetryDecision.Cause.ATTEMPTS_EXHAUSTED));
        // And any other undecodable record (or one marked not retryable) is given up at once
        JobFailure garbage = JobFailure.newBuilder(unavailable)
                .setReason(FailureReason.DECODE_ERROR)
                .build();
        JobFailure marked =
                JobFailure.newBuilder(unavailable).setRetryable(false).build();
        for (JobFailure f : java.util.List.of(garbage, marked)) {
            assertThat(policy.decideUndecoded(f, 1, NOW, random))
                    .isInstanceOfSatisfying(RetryDecision.GiveUp.class, giveUp -> assertThat(giveUp.cause())
                            .isEqualTo(RetryDecision.Cause.NO_JOB));
        }
    }

    @Test
    void deadLettersAfterMaxAttempts() {
        JobFailure failure = failure(job("send_email", 4), "emails", NOW);
        assertThat(policy.decide(failure, NOW, random))
                .isInstanceOfSatisfying(RetryDecision.GiveUp.class, giveUp -> assertThat(giveUp.cause())
                        .isEqualTo(RetryDecision.Cause.ATTEMPTS_EXHAUSTED));
    }

    @Test
    void aJobsOwnMaxAttemptsWinsOverThePolicy() {
        // Given a job allowing 10 attempts at attempt 4 (the policy allows 4)
        Job job = Job.newBuilder(job("send_email", 4)).setMaxAttempts(10).build();
        // Then it is retried; and a job allowing 2 is dead-lettered at attempt 2
        assertThat(policy.decide(failure(job, "emails", NOW), NOW, random)).isInstanceOf(RetryDecision.Retry.class);
        Job strict = Job.newBuilder(job("send_email", 2)).setMaxAttempts(2).build();
        assertThat(policy.decide(failure(strict, "emails", NOW), NOW, random)).isInstanceOf(RetryDecision.GiveUp.class);
        assertThat(policy.maxAttemptsOf(job)).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(
            value = FailureReason.class,
            names = {"DECODE_ERROR", "UNKNOWN_TYPE", "EXPIRED", "REJECTED"})
    void neverRetriesReasonsNoRetryCanFix(FailureReason reason) {
        // Given a policy that lists no reasons at all and a failure the worker calls retryable
        JobFailure failure = failure(job("send_email", 1), "emails", NOW, reason, true);
        assertThat(policy.nonRetryableReasons()).contains(reason);
        assertThat(policy.decide(failure, NOW, random))
                .isEqualTo(new RetryDecision.GiveUp(
                        RetryDecision.Cause.NON_RETRYABLE_REASON, "reason " + reason + " is not retried"));
    }

    @Test
    void configuredReasonsAndErrorClassesAreNotRetried() {
        RetryPolicy strict =
                new RetryPolicy(4, FIXED, Set.of(FailureReason.TIMEOUT), Set.of("java.lang.IllegalStateException"));
        JobFailure timeout = JobFailure.newBuilder(failure(job("a", 1), "emails", NOW, FailureReason.TIMEOUT, true))
                .setErrorClass(null)
                .build();
        assertThat(strict.decide(timeout, NOW, random))
                .extracting(d -> ((RetryDecision.GiveUp) d).cause())
                .isEqualTo(RetryDecision.Cause.NON_RETRYABLE_REASON);
        assertThat(strict.decide(failure(job("a", 1), "emails", NOW), NOW, random))
                .extracting(d -> ((RetryDecision.GiveUp) d).cause())
                .isEqualTo(RetryDecision.Cause.NON_RETRYABLE_ERROR);
    }

    @Test
    void failuresTheWorkerMarkedNotRetryableAreNotRetried() {
        JobFailure failure = failure(job("a", 1), "emails", NOW, FailureReason.HANDLER_ERROR, false);
        assertThat(policy.decide(failure, NOW, random))
                .extracting(d -> ((RetryDecision.GiveUp) d).cause())
                .isEqualTo(RetryDecision.Cause.MARKED_NOT_RETRYABLE);
    }

    @Test
    void aJobThatWouldExpireBeforeItsRetryIsNotRetried() {
        Job job = Job.newBuilder(job("a", 1)).setExpiresAt(NOW.plusMillis(500)).build();
        assertThat(policy.decide(failure(job, "emails", NOW), NOW, random))
                .extracting(d -> ((RetryDecision.GiveUp) d).cause())
                .isEqualTo(RetryDecision.Cause.EXPIRES_BEFORE_RETRY);
    }

    @Test
    void aFailureWithoutAJobIsNotRetried() {
        JobFailure failure = JobFailure.newBuilder(failure(job("a", 1), "emails", NOW))
                .setJob(null)
                .build();
        assertThat(policy.decide(failure, NOW, random))
                .extracting(d -> ((RetryDecision.GiveUp) d).cause())
                .isEqualTo(RetryDecision.Cause.NO_JOB);
    }

    @Test
    void eachTypeUsesItsOwnPolicyAndOthersTheDefault() {
        RetryPolicies policies = new RetryPolicies(RetryPolicy.DEFAULT, Map.of("send_email", policy));
        assertThat(policies.forType("send_email")).isSameAs(policy);
        assertThat(policies.forType("resize_image")).isSameAs(RetryPolicy.DEFAULT);
        // attempt 4 of send_email (max 4) gives up; of resize_image (max 5) retries
        assertThat(policies.decide(failure(job("send_email", 4), "q", NOW), NOW, random))
                .isInstanceOf(RetryDecision.GiveUp.class);
        assertThat(policies.decide(failure(job("resize_image", 4), "q", NOW), NOW, random))
                .isInstanceOf(RetryDecision.Retry.class);
    }

    @Test
    void theDefaultsAreFiveAttemptsAndOneSecondDoublingUpToAnHourWithFullJitter() {
        assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(5);
        assertThat(RetryPolicy.DEFAULT.backoff())
                .isEqualTo(new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.FULL));
    }
}
