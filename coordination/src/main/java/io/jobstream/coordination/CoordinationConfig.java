package io.jobstream.coordination;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@link Coordination#redis(CoordinationConfig)} connects and waits. Immutable; every value is checked at
 * construction by its key's rule and a bad one is reported with its key ({@link ConfigException}). Made by {@link
 * #builder(String)} (or {@link #of(String)} for the defaults), copied with {@link #toBuilder()}.
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

    /** Validates every field by its key's rule, naming the key. */
    public CoordinationConfig {
        if (!IN_MEMORY_URI.equals(redisUri)) {
            REDIS_URI_KEY.check(redisUri);
        }
        COMMAND_TIMEOUT_KEY.check(commandTimeout);
        WAIT_POLL_INTERVAL_KEY.check(waitPollInterval);
        LEASE_KEY.check(lease);
        RATE_LIMITER_FAILURE_MODE_KEY.check(rateLimiterFailureMode);
        REQUEST_ID_RETENTION_KEY.check(requestIdRetention);
        if (requestIdRetention.compareTo(commandTimeout) <= 0) {
            throw new ConfigException(REQUEST_ID_RETENTION + " must be longer than " + COMMAND_TIMEOUT + " (was "
                    + requestIdRetention + " <= " + commandTimeout + ")");
        }
    }

    /**
     * The settings of a config loaded with {@link #DEFINITION}, or empty when {@value #REDIS_URI} is not set.
     *
     * @throws ConfigException naming the key when the values do not fit together (e.g. {@value
     *     #REQUEST_ID_RETENTION} not longer than {@value #COMMAND_TIMEOUT})
     */
    public static Optional<CoordinationConfig> from(Config config) {
        return config.find(REDIS_URI_KEY).map(uri -> builder(uri)
                .commandTimeout(config.get(COMMAND_TIMEOUT_KEY))
                .waitPollInterval(config.get(WAIT_POLL_INTERVAL_KEY))
                .lease(config.get(LEASE_KEY))
                .rateLimiterFailureMode(config.get(RATE_LIMITER_FAILURE_MODE_KEY))
                .requestIdRetention(config.get(REQUEST_ID_RETENTION_KEY))
                .cluster(config.get(CLUSTER_KEY))
                .build());
    }

    private static Optional<String> redisUriProblem(String uri) {
        if (uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-sentinel://")) {
            return Optional.empty();
        }
        return Optional.of(
                "must start with redis://, rediss:// or redis-sentinel:// (was a " + uri.split(":", 2)[0] + ": URI)");
    }

    /** The defaults for {@code redisUri}: {@code builder(redisUri).build()}. */
    public static CoordinationConfig of(String redisUri) {
        return builder(redisUri).build();
    }

    /** A builder for {@code redisUri} with every other setting at its key's default. */
    public static Builder builder(String redisUri) {
        return new Builder(redisUri);
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder(redisUri)
                .commandTimeout(commandTimeout)
                .waitPollInterval(waitPollInterval)
                .lease(lease)
                .rateLimiterFailureMode(rateLimiterFailureMode)
                .requestIdRetention(requestIdRetention)
                .cluster(cluster);
    }

    /** Builds a {@link CoordinationConfig}; every setting starts at its key's default, {@link #build()} validates. */
    public static final class Builder {
        private final String redisUri;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration waitPollInterval = DEFAULT_WAIT_POLL_INTERVAL;
        private Duration lease = DEFAULT_LEASE;
        private RateLimiterFailureMode rateLimiterFailureMode =
                RATE_LIMITER_FAILURE_MODE_KEY.defaultValue().orElseThrow();
        private Duration requestIdRetention = DEFAULT_REQUEST_ID_RETENTION;
        private boolean cluster = CLUSTER_KEY.defaultValue().orElseThrow();

        private Builder(String redisUri) {
            this.redisUri = redisUri;
        }

        /** {@value CoordinationConfig#COMMAND_TIMEOUT}. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        /** {@value CoordinationConfig#WAIT_POLL_INTERVAL}. */
        public Builder waitPollInterval(Duration waitPollInterval) {
            this.waitPollInterval = waitPollInterval;
            return this;
        }

        /** {@value CoordinationConfig#LEASE}. */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /** {@value CoordinationConfig#RATE_LIMITER_FAILURE_MODE}. */
        public Builder rateLimiterFailureMode(RateLimiterFailureMode rateLimiterFailureMode) {
            this.rateLimiterFailureMode = rateLimiterFailureMode;
            return this;
        }

        /** {@value CoordinationConfig#REQUEST_ID_RETENTION}; longer than the command timeout. */
        public Builder requestIdRetention(Duration requestIdRetention) {
            this.requestIdRetention = requestIdRetention;
            return this;
        }

        /** {@value CoordinationConfig#CLUSTER}: whether the URI names a seed node of a Redis Cluster. */
        public Builder cluster(boolean cluster) {
            this.cluster = cluster;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public CoordinationConfig build() {
            return new CoordinationConfig(
                    redisUri,
                    commandTimeout,
                    waitPollInterval,
                    lease,
                    rateLimiterFailureMode,
                    requestIdRetention,
                    cluster);
        }
    }
}
