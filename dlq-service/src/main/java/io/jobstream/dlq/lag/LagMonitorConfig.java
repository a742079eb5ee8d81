package io.jobstream.dlq.lag;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The lag monitor's settings. Immutable; validated at construction, naming the key in every error. {@link
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
    public static final String DEFAULT_GROUP_PATTERN = ".+\\.workers|jobstream-dlq-router-.+";

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
            .doc("Consumer groups monitored besides those matching jobstream.lag.group-pattern.")
            .build();
    public static final ConfigKey<String> GROUP_PATTERN = ConfigKey.stringKey("jobstream.lag.group-pattern")
            .defaultValue(DEFAULT_GROUP_PATTERN)
            .validator(ConfigValidator.notBlank())
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

    public LagMonitorConfig {
        requireWithin(interval, INTERVAL);
        requireWithin(window, WINDOW);
        Objects.requireNonNull(groups, GROUPS.name());
        groups = List.copyOf(groups);
        for (String group : groups) {
            if (group.isBlank()) {
                throw new IllegalArgumentException(GROUPS.name() + " must not hold a blank group id");
            }
        }
        Objects.requireNonNull(groupPattern, GROUP_PATTERN.name());
        try {
            Pattern.compile(groupPattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    GROUP_PATTERN.name() + ": '" + groupPattern + "' is not a regular expression: "
                            + e.getDescription(),
                    e);
        }
        requireWithin(timeSamples, TIME_SAMPLES);
        requireWithin(requestTimeout, REQUEST_TIMEOUT);
    }

    /** The defaults. */
    public static LagMonitorConfig defaults() {
        return new LagMonitorConfig(
                INTERVAL.defaultValue().orElseThrow(),
                WINDOW.defaultValue().orElseThrow(),
                List.of(),
                DEFAULT_GROUP_PATTERN,
                TIME_SAMPLES.defaultValue().orElseThrow(),
                REQUEST_TIMEOUT.defaultValue().orElseThrow());
    }

    /** This config with another interval and window. */
    public LagMonitorConfig withSampling(Duration interval, int window) {
        return new LagMonitorConfig(interval, window, groups, groupPattern, timeSamples, requestTimeout);
    }

    /** This config monitoring exactly {@code groupPattern} plus {@code groups}. */
    public LagMonitorConfig withGroups(String groupPattern, List<String> groups) {
        return new LagMonitorConfig(interval, window, groups, groupPattern, timeSamples, requestTimeout);
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
        try {
            return new LagMonitorConfig(
                    config.get(INTERVAL),
                    config.get(WINDOW),
                    config.find(GROUPS).orElse(List.of()),
                    config.get(GROUP_PATTERN),
                    config.get(TIME_SAMPLES),
                    config.get(REQUEST_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static <T extends Comparable<? super T>> void requireWithin(T value, ConfigKey<T> key) {
        Objects.requireNonNull(value, key.name());
        key.validator().problem(value).ifPresent(problem -> {
            throw new IllegalArgumentException(
                    "invalid value '" + key.describe(value) + "' for " + key.name() + ": " + problem);
        });
    }
}
