package io.jobstream.dlq.lag;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The lag monitor's settings. Immutable and validated at construction by each key's rule, naming the key; made by
 * {@link #builder()} or {@link #from(Config)}, copied with {@link #toBuilder()}. {@link
 * #DEFINITION} holds every {@code jobstream.lag.*} key; {@link #from(Config)} reads them.
 *
 * @param interval time between two samples
 * @param window samples in the sliding window the status is judged on
 * @param groups consumer groups monitored besides those matching {@code groupPattern}
 * @param groupPattern a regular expression; every consumer group whose whole id matches it is monitored
 * @param timeSamples log-end samples kept per partition to estimate time lag
 * @param requestTimeout how long one sample waits for each Admin request
 */
public record LagMonitorConfig(
        Duration interval,
        int window,
        List<String> groups,
        String groupPattern,
        int timeSamples,
        Duration requestTimeout) {

    /** Every {@code <queue>.workers} group and the dlq-service's failure routers. */
    public static final String DEFAULT_GROUP_PATTERN = ".+\\.workers|.+\\.dlq-router";

    public static final ConfigKey<Duration> INTERVAL = ConfigKey.durationKey("jobstream.lag.interval")
            .defaultValue(Duration.ofSeconds(10))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofHours(1)))
            .doc("Time between two samples of every monitored group's committed and log-end offsets.")
            .build();
    public static final ConfigKey<Integer> WINDOW = ConfigKey.intKey("jobstream.lag.window")
            .defaultValue(10)
            .validator(ConfigValidator.range(2, 1_000))
            .unit("samples")
            .doc("Samples in the sliding window a partition's status (OK, WARN, STALL, STOP, REWIND) is judged on.")
            .build();
    public static final ConfigKey<List<String>> GROUPS = ConfigKey.listKey("jobstream.lag.groups")
            .optional()
            .validator(groups -> groups.stream().anyMatch(String::isBlank)
                    ? Optional.of("must not hold a blank group id")
                    : Optional.empty())
            .doc("Consumer groups monitored besides those matching jobstream.lag.group-pattern.")
            .build();
    public static final ConfigKey<String> GROUP_PATTERN = ConfigKey.stringKey("jobstream.lag.group-pattern")
            .defaultValue(DEFAULT_GROUP_PATTERN)
            .validator(LagMonitorConfig::patternProblem)
            .doc("Regular expression; every consumer group whose whole id matches it is monitored. The default"
                    + " takes every <queue>.workers group and the dlq-service's failure routers.")
            .build();
    public static final ConfigKey<Integer> TIME_SAMPLES = ConfigKey.intKey("jobstream.lag.time-samples")
            .defaultValue(64)
            .validator(ConfigValidator.range(4, 10_000))
            .unit("samples")
            .doc("Log-end offset samples kept per partition to estimate time lag; when full, older ones are"
                    + " thinned out, so the table spans ever longer with coarser old entries.")
            .build();
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.durationKey("jobstream.lag.request-timeout")
            .defaultValue(Duration.ofSeconds(5))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofMinutes(5)))
            .doc("How long a sample waits for each Admin request; a group whose request fails or times out is ERR.")
            .build();

    /** Every {@code jobstream.lag.*} key. */
    public static final ConfigDefinition DEFINITION =
            ConfigDefinition.of(INTERVAL, WINDOW, GROUPS, GROUP_PATTERN, TIME_SAMPLES, REQUEST_TIMEOUT);

    /** Validates every field by its key's rule, naming the key. */
    public LagMonitorConfig {
        INTERVAL.check(interval);
        WINDOW.check(window);
        groups = List.copyOf(GROUPS.check(groups));
        GROUP_PATTERN.check(groupPattern);
        TIME_SAMPLES.check(timeSamples);
        REQUEST_TIMEOUT.check(requestTimeout);
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static LagMonitorConfig defaults() {
        return builder().build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .interval(interval)
                .window(window)
                .groups(groups)
                .groupPattern(groupPattern)
                .timeSamples(timeSamples)
                .requestTimeout(requestTimeout);
    }

    /** Whether the group {@code groupId} is monitored. */
    public boolean monitors(String groupId) {
        return groups.contains(groupId) || Pattern.matches(groupPattern, groupId);
    }

    /**
     * Reads a config loaded against a definition that includes {@link #DEFINITION}.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static LagMonitorConfig from(Config config) {
        return builder()
                .interval(config.get(INTERVAL))
                .window(config.get(WINDOW))
                .groups(config.find(GROUPS).orElse(List.of()))
                .groupPattern(config.get(GROUP_PATTERN))
                .timeSamples(config.get(TIME_SAMPLES))
                .requestTimeout(config.get(REQUEST_TIMEOUT))
                .build();
    }

    private static Optional<String> patternProblem(String pattern) {
        if (pattern.isBlank()) {
            return Optional.of("must not be blank");
        }
        try {
            Pattern.compile(pattern);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("must be a regular expression: " + e.getDescription());
        }
    }

    /** Builds a {@link LagMonitorConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private Duration interval = INTERVAL.defaultValue().orElseThrow();
        private int window = WINDOW.defaultValue().orElseThrow();
        private List<String> groups = List.of();
        private String groupPattern = GROUP_PATTERN.defaultValue().orElseThrow();
        private int timeSamples = TIME_SAMPLES.defaultValue().orElseThrow();
        private Duration requestTimeout = REQUEST_TIMEOUT.defaultValue().orElseThrow();

        private Builder() {}

        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /** Samples in the sliding window. */
        public Builder window(int window) {
            this.window = window;
            return this;
        }

        /** Groups monitored besides those matching the pattern. */
        public Builder groups(List<String> groups) {
            this.groups = groups;
            return this;
        }

        public Builder groupPattern(String groupPattern) {
            this.groupPattern = groupPattern;
            return this;
        }

        public Builder timeSamples(int timeSamples) {
            this.timeSamples = timeSamples;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public LagMonitorConfig build() {
            return new LagMonitorConfig(interval, window, groups, groupPattern, timeSamples, requestTimeout);
        }
    }
}
