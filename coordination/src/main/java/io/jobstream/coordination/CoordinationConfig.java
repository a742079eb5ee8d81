package io.jobstream.coordination;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Coordination#redis(CoordinationConfig)} connects and waits. Immutable; every value is checked at
 * construction and a bad one is reported with its configuration key.
 *
 * <p>The keys are runtime {@link ConfigKey}s ({@code *_KEY}, grouped in {@link #DEFINITION}); the plain string
 * constants ({@link #REDIS_URI}, ...) are their names. {@link #from(Config)} reads a config loaded with {@link
 * #DEFINITION}; it is empty when {@value #REDIS_URI} is not set (no coordination store configured).
 *
 * @param redisUri {@value #REDIS_URI}: {@code redis://[user:password@]host:port[/db]} or {@code rediss://...}
 * @param commandTimeout {@value #COMMAND_TIMEOUT}: how long one Redis call may take before it fails closed
 * @param waitPollInterval {@value #WAIT_POLL_INTERVAL}: while waiting for a lock or permit, the longest time between
 *     two attempts when no release notification arrives
 * @param lease {@value #LEASE}: the lease of semaphore permits when none is given
 * @param rateLimiterFailureMode {@value #RATE_LIMITER_FAILURE_MODE}: what a rate limiter does when Redis is unreachable
 * @param requestIdRetention {@value #REQUEST_ID_RETENTION}: how long the server remembers the answer to one request id
 *     (rate limiter, semaphore release) or a released lock or claim, so that a call Lettuce replays after a reconnect
 *     is not applied twice; longer than {@code commandTimeout}
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

    /** {@value #REDIS_URI}; optional: without it a process has no coordination store. */
    public static final ConfigKey<String> REDIS_URI_KEY = ConfigKey.stringKey(REDIS_URI)
            .optional()
            .validator(CoordinationConfig::redisUriProblem)
            .doc("Redis or Dragonfly URI for coordination (locks, semaphores, rate limits, idempotency, leader"
                    + " election): redis://[user:password@]host:port[/db], rediss://... or redis-sentinel://...")
            .build();

    /** {@value #COMMAND_TIMEOUT}. */
    public static final ConfigKey<Duration> COMMAND_TIMEOUT_KEY = ConfigKey.durationKey(COMMAND_TIMEOUT)
            .defaultValue(Duration.ofSeconds(2))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(5)))
            .doc("How long one Redis call may take before it fails closed (the job is deferred, never run"
                    + " unguarded).")
            .build();

    /** {@value #WAIT_POLL_INTERVAL}. */
    public static final ConfigKey<Duration> WAIT_POLL_INTERVAL_KEY = ConfigKey.durationKey(WAIT_POLL_INTERVAL)
            .defaultValue(Duration.ofMillis(250))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(1)))
            .doc("Longest pause between two attempts while waiting for a lock or permit without a release"
                    + " notification.")
            .build();

    /** {@value #LEASE}. */
    public static final ConfigKey<Duration> LEASE_KEY = ConfigKey.durationKey(LEASE)
            .defaultValue(Duration.ofSeconds(30))
            .validator(ConfigValidator.range(Duration.ofMillis(30), Duration.ofDays(1)))
            .doc("Lease of semaphore permits when none is given; renewed by a watchdog every third of it.")
            .build();

    /** {@value #RATE_LIMITER_FAILURE_MODE}. */
    public static final ConfigKey<RateLimiterFailureMode> RATE_LIMITER_FAILURE_MODE_KEY = ConfigKey.enumKey(
                    RATE_LIMITER_FAILURE_MODE, RateLimiterFailureMode.class)
            .defaultValue(RateLimiterFailureMode.FAIL_CLOSED)
            .doc("What a rate limiter does when Redis is unreachable: FAIL_CLOSED refuses, FAIL_OPEN grants.")
            .build();

    /** {@value #REQUEST_ID_RETENTION}. */
    public static final ConfigKey<Duration> REQUEST_ID_RETENTION_KEY = ConfigKey.durationKey(REQUEST_ID_RETENTION)
            .defaultValue(Duration.ofSeconds(30))
            .validator(ConfigValidator.range(Duration.ofMillis(2), Duration.ofHours(1)))
            .doc("How long the server remembers a call's answer (rate limiter, semaphore release) or a released lock"
                    + " or claim, so a call Lettuce replays after a reconnect is not applied twice; must be longer"
                    + " than command-timeout.")
            .build();

    /** {@value #CLUSTER}. */
    public static final ConfigKey<Boolean> CLUSTER_KEY = ConfigKey.booleanKey(CLUSTER)
            .defaultValue(false)
            .doc("Whether redis-uri is a seed node of a Redis Cluster.")
            .build();

    /** Every key of this module. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            REDIS_URI_KEY,
            COMMAND_TIMEOUT_KEY,
            WAIT_POLL_INTERVAL_KEY,
            LEASE_KEY,
            RATE_LIMITER_FAILURE_MODE_KEY,
            REQUEST_ID_RETENTION_KEY,
            CLUSTER_KEY);

    /** Default {@code commandTimeout}: 2 s. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT =
            COMMAND_TIMEOUT_KEY.defaultValue().orElseThrow();
    /** Default {@code waitPollInterval}: 250 ms. */
    public static final Duration DEFAULT_WAIT_POLL_INTERVAL =
            WAIT_POLL_INTERVAL_KEY.defaultValue().orElseThrow();
    /** Default {@code lease}: 30 s. */
    public static final Duration DEFAULT_LEASE = LEASE_KEY.defaultValue().orElseThrow();
    /** Default {@code requestIdRetention}: 30 s. */
    public static final Duration DEFAULT_REQUEST_ID_RETENTION =
            REQUEST_ID_RETENTION_KEY.defaultValue().orElseThrow();

    static final String IN_MEMORY_URI = "memory:";

    public CoordinationConfig {
        Objects.requireNonNull(redisUri, REDIS_URI);
        if (redisUri.isBlank()) {
            throw new IllegalArgumentException(REDIS_URI + " must not be blank");
        }
        if (!redisUri.equals(IN_MEMORY_URI)) {
            redisUriProblem(redisUri).ifPresent(problem -> {
                throw new IllegalArgumentException(REDIS_URI + " " + problem);
            });
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

    /**
     * The settings of a config loaded with {@link #DEFINITION}, or empty when {@value #REDIS_URI} is not set.
     *
     * @throws ConfigException naming the key when the values do not fit together (e.g. {@value
     *     #REQUEST_ID_RETENTION} not longer than {@value #COMMAND_TIMEOUT})
     */
    public static Optional<CoordinationConfig> from(Config config) {
        Optional<String> uri = config.find(REDIS_URI_KEY);
        if (uri.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CoordinationConfig(
                    uri.get(),
                    config.get(COMMAND_TIMEOUT_KEY),
                    config.get(WAIT_POLL_INTERVAL_KEY),
                    config.get(LEASE_KEY),
                    config.get(RATE_LIMITER_FAILURE_MODE_KEY),
                    config.get(REQUEST_ID_RETENTION_KEY),
                    config.get(CLUSTER_KEY)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid coordination settings: " + e.getMessage());
        }
    }

    private static Optional<String> redisUriProblem(String uri) {
        if (uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-sentinel://")) {
            return Optional.empty();
        }
        return Optional.of(
                "must start with redis://, rediss:// or redis-sentinel:// (was a " + uri.split(":", 2)[0] + ": URI)");
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
