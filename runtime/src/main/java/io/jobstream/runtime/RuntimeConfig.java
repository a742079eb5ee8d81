package io.jobstream.runtime;

import java.time.Duration;

/**
 * The runtime module's own settings: where the admin endpoint listens, how long a readiness check
 * may take, and the shutdown drain budget. Validated at construction; the keys and their docs live
 * here and nowhere else.
 *
 * @param adminHost interface the admin HTTP endpoint binds to
 * @param adminPort port of the admin HTTP endpoint, 0 for a random free port
 * @param checkTimeout how long one readiness check may take before it counts as down
 * @param shutdownTimeout total time a graceful shutdown may take
 */
public record RuntimeConfig(String adminHost, int adminPort, Duration checkTimeout, Duration shutdownTimeout) {
    static final String ADMIN_HOST_NAME = "jobstream.runtime.admin.host";

    /** Interface the admin endpoint binds to. */
    public static final ConfigKey<String> ADMIN_HOST = ConfigKey.stringKey(ADMIN_HOST_NAME)
            .defaultValue("0.0.0.0")
            .validator(ConfigValidator.notBlank())
            .doc("Interface the admin HTTP endpoint (/health, /ready, /metrics, and the API's and dead-letter routes"
                    + " where the role serves them) binds to. The default 0.0.0.0 exposes it on every interface:"
                    + " restrict it with a network policy, or bind 127.0.0.1 where only local callers need it.")
            .build();

    /** Port of the admin endpoint. */
    public static final ConfigKey<Integer> ADMIN_PORT = ConfigKey.intKey("jobstream.runtime.admin.port")
            .defaultValue(9400)
            .validator(ConfigValidator.range(0, 65535))
            .doc("Port of the admin HTTP endpoint; 0 picks a free port.")
            .build();

    /** Per-check timeout of {@code /ready}. */
    public static final ConfigKey<Duration> CHECK_TIMEOUT = ConfigKey.durationKey(
                    "jobstream.runtime.admin.check-timeout")
            .defaultValue(Duration.ofSeconds(2))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(1)))
            .doc("How long one readiness check may take before /ready reports it down.")
            .build();

    /** Total graceful-shutdown budget. */
    public static final ConfigKey<Duration> SHUTDOWN_TIMEOUT = ConfigKey.durationKey(
                    "jobstream.runtime.shutdown-timeout")
            .defaultValue(Duration.ofSeconds(30))
            .validator(ConfigValidator.range(Duration.ZERO, Duration.ofHours(1)))
            .doc("Total time a graceful shutdown (SIGTERM) may take; components still draining when it runs"
                    + " out are abandoned.")
            .build();

    /**
     * Every key of this module except the Kafka ones ({@link KafkaSettings#DEFINITION}), the HTTP seam's included
     * ({@link io.jobstream.runtime.http.HttpConfig#DEFINITION}: tokens, auth, limits), so every role that serves routes
     * reads the same token definition.
     */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.combine(
            ConfigDefinition.of(ADMIN_HOST, ADMIN_PORT, CHECK_TIMEOUT, SHUTDOWN_TIMEOUT),
            io.jobstream.runtime.http.HttpConfig.DEFINITION);

    /** Validates every field, naming its key. */
    public RuntimeConfig {
        ADMIN_HOST.check(adminHost);
        ADMIN_PORT.check(adminPort);
        CHECK_TIMEOUT.check(checkTimeout);
        SHUTDOWN_TIMEOUT.check(shutdownTimeout);
    }

    /** The defaults of every key. */
    public static RuntimeConfig defaults() {
        return builder().build();
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static RuntimeConfig from(Config config) {
        return builder()
                .adminHost(config.get(ADMIN_HOST))
                .adminPort(config.get(ADMIN_PORT))
                .checkTimeout(config.get(CHECK_TIMEOUT))
                .shutdownTimeout(config.get(SHUTDOWN_TIMEOUT))
                .build();
    }

    /** A builder with every setting at its key's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .adminHost(adminHost)
                .adminPort(adminPort)
                .checkTimeout(checkTimeout)
                .shutdownTimeout(shutdownTimeout);
    }

    /** Builds a {@link RuntimeConfig}; every setting starts at its key's default, {@link #build()} validates. */
    public static final class Builder {
        private String adminHost = ADMIN_HOST.defaultValue().orElseThrow();
        private int adminPort = ADMIN_PORT.defaultValue().orElseThrow();
        private Duration checkTimeout = CHECK_TIMEOUT.defaultValue().orElseThrow();
        private Duration shutdownTimeout = SHUTDOWN_TIMEOUT.defaultValue().orElseThrow();

        private Builder() {}

        /** {@link RuntimeConfig#ADMIN_HOST}. */
        public Builder adminHost(String adminHost) {
            this.adminHost = adminHost;
            return this;
        }

        /** {@link RuntimeConfig#ADMIN_PORT}; 0 picks a free port. */
        public Builder adminPort(int adminPort) {
            this.adminPort = adminPort;
            return this;
        }

        /** {@link RuntimeConfig#CHECK_TIMEOUT}. */
        public Builder checkTimeout(Duration checkTimeout) {
            this.checkTimeout = checkTimeout;
            return this;
        }

        /** {@link RuntimeConfig#SHUTDOWN_TIMEOUT}. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public RuntimeConfig build() {
            return new RuntimeConfig(adminHost, adminPort, checkTimeout, shutdownTimeout);
        }
    }
}
