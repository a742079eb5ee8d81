package io.jobstream.dlq;

import io.jobstream.schemas.JobFailure;
import java.time.Instant;
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

    /** {@link RetryPolicy#decide} with the policy of the failed job's type. */
    public RetryDecision decide(JobFailure failure, Instant now, RandomGenerator random) {
        String type = failure.getJob().map(job -> job.getType()).orElse(null);
        return forType(type).decide(failure, now, random);
    }
}
