package io.jobstream.dlq.retry;

import io.jobstream.schemas.JobFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The retry policy of every job type: one per configured type, the default for the rest. Immutable.
 *
 * @param defaultPolicy the policy of types without their own
 * @param byType policies of individual job types
 */
public record RetryPolicies(RetryPolicy defaultPolicy, Map<String, RetryPolicy> byType) {

    /** {@link RetryPolicy#DEFAULT} for every type. */
    public static final RetryPolicies DEFAULT = new RetryPolicies(RetryPolicy.DEFAULT, Map.of());

    public RetryPolicies {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        byType = Map.copyOf(byType);
    }

    /** The policy of job type {@code type}. */
    public RetryPolicy forType(String type) {
        return type == null ? defaultPolicy : byType.getOrDefault(type, defaultPolicy);
    }

    /**
     * The longest time a job can spend waiting between its attempts under any of these policies: the sum of the
     * backoff ceilings after attempts 1 to {@code maxAttempts - 1}, the largest over every policy (a job's own {@code
     * maxAttempts} can make its path longer).
     */
    public Duration longestRetryPath() {
        long longest = 0;
        for (RetryPolicy policy : policiesInUse()) {
            long sum = 0;
            for (int attempt = 1; attempt < policy.maxAttempts(); attempt++) {
                sum = saturatedAdd(sum, policy.backoff().ceiling(attempt).toMillis());
            }
            longest = Math.max(longest, sum);
        }
        return Duration.ofMillis(longest);
    }

    private List<RetryPolicy> policiesInUse() {
        List<RetryPolicy> all = new ArrayList<>(byType.values());
        all.add(defaultPolicy);
        return all;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** {@link RetryPolicy#decide} with the policy of the failed job's type. */
    public RetryDecision decide(JobFailure failure, Instant now, RandomGenerator random) {
        String type = failure.getJob().map(job -> job.getType()).orElse(null);
        return forType(type).decide(failure, now, random);
    }

    /** {@link RetryPolicy#decideUndecoded} with the default policy (an undecoded record's type is unknown). */
    public RetryDecision decideUndecoded(JobFailure failure, int decodeAttempt, Instant now, RandomGenerator random) {
        return forType(null).decideUndecoded(failure, decodeAttempt, now, random);
    }
}
