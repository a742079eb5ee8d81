package io.jobstream.coordination;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Coordination#redis(CoordinationConfig)} connects and waits. Immutable; every value is checked at
 * construction and a bad one is reported with its configuration key.
 *
 * @param redisUri {@value #REDIS_URI}: {@code redis://[user:password@]host:port[/db]} or {@code rediss://...}
 * @param commandTimeout {@value #COMMAND_TIMEOUT}: how long one Redis call may take before it fails closed
 * @param waitPollInterval {@value #WAIT_POLL_INTERVAL}: while waiting for a lock or permit, the longest time between
 *     two attempts when no release notification arrives
 * @param lease {@value #LEASE}: the lease of semaphore permits when none is given
 * @param rateLimiterFailureMode {@value #RATE_LIMITER_FAILURE_MODE}: what a rate limiter does when Redis is unreachable
 * @param requestIdRetention {@value #REQUEST_ID_RETENTION}: how long the server remembers the answer to one request id,
 *     so that a call Lettuce replays after a reconnect is not applied twice; longer than {@code commandTimeout}
 * @param cluster {@value #CLUSTER}: whether {@code redisUri} is a seed node of a Redis Cluster (Lettuce's cluster
 *     client then routes each script by its keys' hash slot)
 */
public record CoordinationConfig(
        String redisUri,
        Duration commandTimeout,
        Duration waitPollInterval,
        Duration lease,
        RateLimiterFailureMode rateLimiterFailureMode,
        Duration requestIdRetention,
        boolean cluster) {

    public static final String REDIS_URI = "jobstream.coordination.redis-uri";
    public static final String COMMAND_TIMEOUT = "jobstream.coordination.command-timeout";
    public static final String WAIT_POLL_INTERVAL = "jobstream.coordination.wait-poll-interval";
    public static final String LEASE = "jobstream.coordination.lease";
    public static final String RATE_LIMITER_FAILURE_MODE = "jobstream.coordination.rate-limiter-failure-mode";
    public static final String REQUEST_ID_RETENTION = "jobstream.coordination.request-id-retention";
    public static final String CLUSTER = "jobstream.coordination.cluster";

    /** Default {@code commandTimeout}: 2 s. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Default {@code waitPollInterval}: 250 ms. */
    public static final Duration DEFAULT_WAIT_POLL_INTERVAL = Duration.ofMillis(250);
    /** Default {@code lease}: 30 s. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** Default {@code requestIdRetention}: 30 s. */
    public static final Duration DEFAULT_REQUEST_ID_RETENTION = Duration.ofSeconds(30);

    static final String IN_MEMORY_URI = "memory:";

    public CoordinationConfig {
        Objects.requireNonNull(redisUri, REDIS_URI);
        if (redisUri.isBlank()) {
            throw new IllegalArgumentException(REDIS_URI + " must not be blank");
        }
        if (!redisUri.equals(IN_MEMORY_URI)
                && !redisUri.startsWith("redis://")
                && !redisUri.startsWith("rediss://")
                && !redisUri.startsWith("redis-sentinel://")) {
            throw new IllegalArgumentException(
                    REDIS_URI + " must start with redis://, rediss:// or redis-sentinel:// (was a "
                            + redisUri.split(":", 2)[0] + ": URI)");
        }
        positive(commandTimeout, COMMAND_TIMEOUT);
        positive(waitPollInterval, WAIT_POLL_INTERVAL);
        positive(lease, LEASE);
        if (lease.toMillis() < 30) {
            throw new IllegalArgumentException(LEASE + " must be at least 30ms (was " + lease + ")");
        }
        Objects.requireNonNull(rateLimiterFailureMode, RATE_LIMITER_FAILURE_MODE);
        positive(requestIdRetention, REQUEST_ID_RETENTION);
        if (requestIdRetention.compareTo(commandTimeout) <= 0) {
            throw new IllegalArgumentException(REQUEST_ID_RETENTION + " must be longer than " + COMMAND_TIMEOUT
                    + " (was " + requestIdRetention + " <= " + commandTimeout + ")");
        }
    }

    /** The defaults for {@code redisUri}. */
    public static CoordinationConfig of(String redisUri) {
        return new CoordinationConfig(
                redisUri,
                DEFAULT_COMMAND_TIMEOUT,
                DEFAULT_WAIT_POLL_INTERVAL,
                DEFAULT_LEASE,
                RateLimiterFailureMode.FAIL_CLOSED,
                DEFAULT_REQUEST_ID_RETENTION,
                false);
    }

    public CoordinationConfig withCommandTimeout(Duration value) {
        return new CoordinationConfig(
                redisUri, value, waitPollInterval, lease, rateLimiterFailureMode, requestIdRetention, cluster);
    }

    public CoordinationConfig withWaitPollInterval(Duration value) {
        return new CoordinationConfig(
                redisUri, commandTimeout, value, lease, rateLimiterFailureMode, requestIdRetention, cluster);
    }

    public CoordinationConfig withLease(Duration value) {
        return new CoordinationConfig(
                redisUri, commandTimeout, waitPollInterval, value, rateLimiterFailureMode, requestIdRetention, cluster);
    }

    public CoordinationConfig withRateLimiterFailureMode(RateLimiterFailureMode value) {
        return new CoordinationConfig(
                redisUri, commandTimeout, waitPollInterval, lease, value, requestIdRetention, cluster);
    }

    public CoordinationConfig withRequestIdRetention(Duration value) {
        return new CoordinationConfig(
                redisUri, commandTimeout, waitPollInterval, lease, rateLimiterFailureMode, value, cluster);
    }

    /** As this, with {@code cluster}: {@link #redisUri()} names a seed node of a Redis Cluster. */
    public CoordinationConfig withCluster(boolean value) {
        return new CoordinationConfig(
                redisUri, commandTimeout, waitPollInterval, lease, rateLimiterFailureMode, requestIdRetention, value);
    }

    private static void positive(Duration value, String key) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive (was " + value + ")");
        }
    }
}
