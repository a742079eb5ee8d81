package io.jobstream.dlq;

import io.jobstream.dlq.alert.AlertConfig;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigType;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.TopicSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dlq-service's settings: which queues it serves, the delay tiers, the retry policies and the forwarder's
 * timing. Immutable and validated at construction by each key's rule, naming the key; made by {@link
 * #builder(List)} or {@link #from(Config)}, copied with {@link #toBuilder()}. {@link #DEFINITION} holds every
 * {@code jobstream.dlq.*} key; {@link #from(Config)} reads them.
 *
 * <p>Per-type retry settings are entries of the map key {@value #TYPES_PREFIX}: {@code <type>.<setting>} where
 * setting is one of {@code max-attempts}, {@code initial-backoff}, {@code multiplier}, {@code max-backoff}, {@code
 * jitter}, {@code non-retryable-reasons}, {@code non-retryable-errors}; a type's unset settings are the defaults'.
 *
 * @param queues the queues whose failures and delay tiers this service handles
 * @param tiers the delay tiers
 * @param retry the retry policies
 * @param historyLimit failures kept in a job's history (and so in its dead letter)
 * @param stateDir Kafka Streams' state directory; empty for Streams' default
 * @param maxPollWait the forwarder's longest poll when no partition is held
 * @param forwarderRetryBackoff how long the forwarder waits after a failed transaction
 * @param routedRetention how long the failure router remembers a routed attempt; empty for {@link
 *     #defaultRoutedRetention(RetryPolicies)}
 * @param routerStallTimeout how long failures may wait with none routed before the router counts as stalled
 */
public record DlqServiceConfig(
        List<String> queues,
        DelayTiers tiers,
        RetryPolicies retry,
        int historyLimit,
        Optional<Path> stateDir,
        Duration maxPollWait,
        Duration forwarderRetryBackoff,
        Optional<Duration> routedRetention,
        Duration routerStallTimeout) {

    /** The prefix of per-type retry settings. */
    public static final String TYPES_PREFIX = "jobstream.dlq.retry.types";

    public static final ConfigKey<List<String>> QUEUES = ConfigKey.listKey("jobstream.dlq.queues")
            .validator(DlqServiceConfig::queuesProblem)
            .doc("Queues whose <queue>.failed and <queue>.delay.<tier> topics this service handles.")
            .build();
    public static final ConfigKey<Integer> MAX_ATTEMPTS = ConfigKey.intKey("jobstream.dlq.retry.max-attempts")
            .defaultValue(RetryPolicy.DEFAULT_MAX_ATTEMPTS)
            .validator(ConfigValidator.range(1, 10_000))
            .unit("attempts")
            .doc("Attempts a job gets before it is dead-lettered, unless the job sets maxAttempts itself.")
            .build();
    public static final ConfigKey<Duration> INITIAL_BACKOFF = ConfigKey.durationKey(
                    "jobstream.dlq.retry.initial-backoff")
            .defaultValue(Backoff.DEFAULT.initial())
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofDays(1)))
            .doc("Backoff ceiling after the first failure; it grows by the multiplier per attempt.")
            .build();
    public static final ConfigKey<Double> MULTIPLIER = ConfigKey.doubleKey("jobstream.dlq.retry.multiplier")
            .defaultValue(Backoff.DEFAULT.multiplier())
            .validator(ConfigValidator.range(1.0, 100.0))
            .doc("Factor by which the backoff ceiling grows per attempt.")
            .build();
    public static final ConfigKey<Duration> MAX_BACKOFF = ConfigKey.durationKey("jobstream.dlq.retry.max-backoff")
            .defaultValue(Backoff.DEFAULT.max())
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofDays(7)))
            .doc("The largest backoff ceiling.")
            .build();
    public static final ConfigKey<Backoff.Jitter> JITTER = ConfigKey.enumKey(
                    "jobstream.dlq.retry.jitter", Backoff.Jitter.class)
            .defaultValue(Backoff.DEFAULT.jitter())
            .doc("How the wait is drawn from the ceiling c: FULL uniform in [0, c], EQUAL c/2 plus uniform in"
                    + " [0, c/2], NONE exactly c.")
            .build();
    public static final ConfigKey<List<String>> NON_RETRYABLE_REASONS = ConfigKey.listKey(
                    "jobstream.dlq.retry.non-retryable-reasons")
            .optional()
            .doc(
                    "Failure reasons never retried, besides DECODE_ERROR, UNKNOWN_SCHEMA, UNKNOWN_TYPE, EXPIRED and REJECTED"
                            + " (always), e.g. TIMEOUT.")
            .build();
    public static final ConfigKey<List<String>> NON_RETRYABLE_ERRORS = ConfigKey.listKey(
                    "jobstream.dlq.retry.non-retryable-errors")
            .optional()
            .doc("Exception class names (exact) never retried, e.g. java.lang.IllegalArgumentException.")
            .build();
    public static final ConfigKey<Map<String, String>> TYPES = ConfigKey.mapKey(TYPES_PREFIX)
            .doc("Per job type retry settings, <type>.<setting>: e.g. " + TYPES_PREFIX
                    + ".send_email.max-attempts: 3. Settings: max-attempts, initial-backoff, multiplier,"
                    + " max-backoff, jitter, non-retryable-reasons, non-retryable-errors.")
            .build();
    public static final ConfigKey<Integer> HISTORY_LIMIT = ConfigKey.intKey("jobstream.dlq.history-limit")
            .defaultValue(20)
            .validator(ConfigValidator.range(1, 1_000))
            .unit("failures")
            .doc("Failures a job carries in its history, and so in its dead letter (the latest ones).")
            .build();
    public static final ConfigKey<String> STATE_DIR = ConfigKey.stringKey("jobstream.dlq.router.state-dir")
            .optional()
            .validator(ConfigValidator.notBlank())
            .doc("Kafka Streams state directory of the failure router (its store of routed attempts, restored from"
                    + " its changelog topic when missing); Streams' default when unset.")
            .build();
    /** The shortest {@link #ROUTED_RETENTION}, and the floor of its default. */
    public static final Duration MIN_ROUTED_RETENTION = Duration.ofDays(7);
    /** What the default {@link #ROUTED_RETENTION} adds to the longest retry path. */
    public static final Duration ROUTED_RETENTION_MARGIN = Duration.ofDays(1);

    public static final ConfigKey<Duration> ROUTED_RETENTION = ConfigKey.durationKey(
                    "jobstream.dlq.router.routed-retention")
            .optional()
            .validator(ConfigValidator.range(MIN_ROUTED_RETENTION, Duration.ofDays(3650)))
            .doc("How long the failure router remembers each routed attempt (job id, attempt, source record), so"
                    + " that a second failure of it - a worker re-ran it after a crash - is dropped and counted in"
                    + " jobstream.router.duplicates instead of starting a second lineage. It must cover the longest"
                    + " time a failed attempt's record can stay uncommitted (workers down) and the longest retry path."
                    + " Unset: the longest retry path of the retry policies (the sum of the backoff ceilings over"
                    + " max attempts) plus 1d, at least 7d. Must not be shorter than the longest retry path.")
            .build();
    public static final ConfigKey<Duration> MAX_POLL_WAIT = ConfigKey.durationKey(
                    "jobstream.dlq.forwarder.max-poll-wait")
            .defaultValue(Duration.ofSeconds(1))
            .validator(ConfigValidator.range(Duration.ofMillis(10), Duration.ofMinutes(1)))
            .doc("Longest poll of the delay forwarder when no partition is held; held partitions wake it when"
                    + " due.")
            .build();
    public static final ConfigKey<Duration> FORWARDER_RETRY_BACKOFF = ConfigKey.durationKey(
                    "jobstream.dlq.forwarder.retry-backoff")
            .defaultValue(Duration.ofSeconds(1))
            .validator(ConfigValidator.range(Duration.ofMillis(10), Duration.ofMinutes(5)))
            .doc("How long the delay forwarder holds a batch after its transaction failed before retrying.")
            .build();

    public static final ConfigKey<Duration> ROUTER_STALL_TIMEOUT = ConfigKey.durationKey(
                    "jobstream.dlq.router.stall-timeout")
            .defaultValue(Duration.ofMinutes(2))
            .validator(ConfigValidator.range(Duration.ofSeconds(10), Duration.ofHours(1)))
            .doc("How long failures may wait in <queue>.failed while the router's committed offsets stand still"
                    + " (and no restore of its store progresses) before the router counts as stalled: /ready"
                    + " reports it, the process logs a diagnosis and exits 1 for its supervisor to start a new one. Keep"
                    + " it well above a rebalance after a crash (the group's 45 s session timeout, plus the restore):"
                    + " shorter, every replacement is stopped before its first assignment.")
            .build();

    /**
     * Every {@code jobstream.dlq.*} key, the alert keys ({@link AlertConfig}) included, and the shared delay tiers
     * ({@link TopicSettings}).
     */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.combine(
            ConfigDefinition.of(
                    QUEUES,
                    MAX_ATTEMPTS,
                    INITIAL_BACKOFF,
                    MULTIPLIER,
                    MAX_BACKOFF,
                    JITTER,
                    NON_RETRYABLE_REASONS,
                    NON_RETRYABLE_ERRORS,
                    TYPES,
                    HISTORY_LIMIT,
                    STATE_DIR,
                    ROUTED_RETENTION,
                    MAX_POLL_WAIT,
                    FORWARDER_RETRY_BACKOFF,
                    ROUTER_STALL_TIMEOUT),
            ConfigDefinition.of(AlertConfig.KEYS),
            TopicSettings.DEFINITION);

    /** Validates every field by its key's rule, naming the key. */
    public DlqServiceConfig {
        queues = List.copyOf(QUEUES.check(queues));
        TopicSettings.check(tiers);
        Objects.requireNonNull(retry, MAX_ATTEMPTS.name());
        HISTORY_LIMIT.check(historyLimit);
        Objects.requireNonNull(stateDir, STATE_DIR.name());
        MAX_POLL_WAIT.check(maxPollWait);
        FORWARDER_RETRY_BACKOFF.check(forwarderRetryBackoff);
        ROUTER_STALL_TIMEOUT.check(routerStallTimeout);
        Objects.requireNonNull(routedRetention, ROUTED_RETENTION.name()).ifPresent(ROUTED_RETENTION::check);
        if (routedRetention.isPresent()) {
            Duration path = retry.longestRetryPath();
            if (routedRetention.get().compareTo(path) < 0) {
                throw new ConfigException(ROUTED_RETENTION.name() + " (" + routedRetention.get()
                        + ") must not be shorter than the longest retry path of the retry policies (" + path + ")");
            }
        }
    }

    /** How long the failure router remembers a routed attempt: the configured retention, else the default. */
    public Duration effectiveRoutedRetention() {
        return routedRetention.orElseGet(() -> defaultRoutedRetention(retry));
    }

    /** The longest retry path of {@code retry} plus {@link #ROUTED_RETENTION_MARGIN}, at least 7 days. */
    public static Duration defaultRoutedRetention(RetryPolicies retry) {
        Duration path = retry.longestRetryPath();
        Duration derived =
                path.compareTo(Duration.ofDays(3650)) >= 0 ? Duration.ofDays(3650) : path.plus(ROUTED_RETENTION_MARGIN);
        return derived.compareTo(MIN_ROUTED_RETENTION) < 0 ? MIN_ROUTED_RETENTION : derived;
    }

    /** A builder with every default, for {@code queues}. */
    public static Builder builder(List<String> queues) {
        return new Builder(queues);
    }

    /** The defaults for {@code queues}. */
    public static DlqServiceConfig defaults(List<String> queues) {
        return builder(queues).build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = builder(queues)
                .tiers(tiers)
                .retry(retry)
                .historyLimit(historyLimit)
                .maxPollWait(maxPollWait)
                .forwarderRetryBackoff(forwarderRetryBackoff)
                .routerStallTimeout(routerStallTimeout);
        stateDir.ifPresent(b::stateDir);
        routedRetention.ifPresent(b::routedRetention);
        return b;
    }

    /**
     * Reads a config loaded against a definition that includes {@link #DEFINITION}.
     *
     * @throws ConfigException listing every problem, each naming its key
     */
    public static DlqServiceConfig from(Config config) {
        List<String> problems = new ArrayList<>();
        RetryPolicy defaults = null;
        try {
            defaults = new RetryPolicy(
                    config.get(MAX_ATTEMPTS),
                    backoff(
                            config.get(INITIAL_BACKOFF),
                            config.get(MULTIPLIER),
                            config.get(MAX_BACKOFF),
                            config.get(JITTER),
                            MAX_BACKOFF.name()),
                    reasons(config.find(NON_RETRYABLE_REASONS).orElse(List.of()), NON_RETRYABLE_REASONS.name()),
                    Set.copyOf(config.find(NON_RETRYABLE_ERRORS).orElse(List.of())));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        Map<String, RetryPolicy> byType = new LinkedHashMap<>();
        if (defaults != null) {
            byType = typePolicies(config.get(TYPES), defaults, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Builder b = builder(config.get(QUEUES))
                .tiers(TopicSettings.delayTiers(config))
                .retry(new RetryPolicies(defaults, byType))
                .historyLimit(config.get(HISTORY_LIMIT))
                .maxPollWait(config.get(MAX_POLL_WAIT))
                .forwarderRetryBackoff(config.get(FORWARDER_RETRY_BACKOFF))
                .routerStallTimeout(config.get(ROUTER_STALL_TIMEOUT));
        config.find(STATE_DIR).map(Path::of).ifPresent(b::stateDir);
        config.find(ROUTED_RETENTION).ifPresent(b::routedRetention);
        return b.build();
    }

    private static Map<String, RetryPolicy> typePolicies(
            Map<String, String> entries, RetryPolicy defaults, List<String> problems) {
        Map<String, Map<String, String>> byType = new TreeMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            int dot = entry.getKey().lastIndexOf('.');
            if (dot <= 0) {
                problems.add(TYPES_PREFIX + "." + entry.getKey() + ": expected " + TYPES_PREFIX + ".<type>.<setting>");
                continue;
            }
            byType.computeIfAbsent(entry.getKey().substring(0, dot), t -> new LinkedHashMap<>())
                    .put(entry.getKey().substring(dot + 1), entry.getValue());
        }
        Map<String, RetryPolicy> out = new LinkedHashMap<>();
        byType.forEach((type, settings) -> {
            String prefix = TYPES_PREFIX + "." + type + ".";
            try {
                out.put(type, typePolicy(prefix, settings, defaults));
            } catch (IllegalArgumentException | ConfigException e) {
                problems.add(e.getMessage());
            }
        });
        return out;
    }

    private static RetryPolicy typePolicy(String prefix, Map<String, String> settings, RetryPolicy defaults) {
        int maxAttempts = defaults.maxAttempts();
        Backoff b = defaults.backoff();
        Duration initial = b.initial();
        double multiplier = b.multiplier();
        Duration max = b.max();
        Backoff.Jitter jitter = b.jitter();
        Set<FailureReason> reasons = defaults.nonRetryableReasons();
        Set<String> errors = defaults.nonRetryableErrors();
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            String key = prefix + setting.getKey();
            String value = setting.getValue();
            try {
                switch (setting.getKey()) {
                    case "max-attempts" -> maxAttempts = MAX_ATTEMPTS.checkAs(key, ConfigType.INT.parse(value));
                    case "initial-backoff" -> initial = INITIAL_BACKOFF.checkAs(key, ConfigType.DURATION.parse(value));
                    case "multiplier" -> multiplier = MULTIPLIER.checkAs(key, ConfigType.DOUBLE.parse(value));
                    case "max-backoff" -> max = MAX_BACKOFF.checkAs(key, ConfigType.DURATION.parse(value));
                    case "jitter" ->
                        jitter = ConfigType.enumOf(Backoff.Jitter.class).parse(value);
                    case "non-retryable-reasons" -> reasons = reasons(ConfigType.LIST.parse(value), key);
                    case "non-retryable-errors" -> errors = Set.copyOf(ConfigType.LIST.parse(value));
                    default -> throw new IllegalArgumentException("unknown setting");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid value '" + value + "' for " + key + ": " + e.getMessage(), e);
            }
        }
        return new RetryPolicy(
                maxAttempts, backoff(initial, multiplier, max, jitter, prefix + "max-backoff"), reasons, errors);
    }

    private static Backoff backoff(
            Duration initial, double multiplier, Duration max, Backoff.Jitter jitter, String maxKey) {
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    maxKey + " (" + max + ") must not be shorter than the initial backoff (" + initial + ")");
        }
        return new Backoff(initial, multiplier, max, jitter);
    }

    private static Set<FailureReason> reasons(List<String> names, String key) {
        EnumSet<FailureReason> out = EnumSet.noneOf(FailureReason.class);
        for (String name : names) {
            try {
                out.add(FailureReason.valueOf(
                        name.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        key + ": unknown failure reason '" + name + "'; use one of " + List.of(FailureReason.values()));
            }
        }
        return out;
    }

    private static Optional<String> queuesProblem(List<String> queues) {
        if (queues.isEmpty()) {
            return Optional.of("must name at least one queue");
        }
        for (String queue : queues) {
            if (!Topics.isValidQueue(queue)) {
                return Optional.of("queue name '" + queue + "' is invalid: use lowercase letters, digits, '.' and '-'");
            }
        }
        if (new LinkedHashSet<>(queues).size() != queues.size()) {
            return Optional.of("lists a queue twice");
        }
        return Optional.empty();
    }

    /** Builds a {@link DlqServiceConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private final List<String> queues;
        private DelayTiers tiers = TopicSettings.defaultDelayTiers();
        private RetryPolicies retry = RetryPolicies.DEFAULT;
        private int historyLimit = HISTORY_LIMIT.defaultValue().orElseThrow();
        private Path stateDir;
        private Duration maxPollWait = MAX_POLL_WAIT.defaultValue().orElseThrow();
        private Duration forwarderRetryBackoff =
                FORWARDER_RETRY_BACKOFF.defaultValue().orElseThrow();
        private Duration routedRetention;
        private Duration routerStallTimeout =
                ROUTER_STALL_TIMEOUT.defaultValue().orElseThrow();

        private Builder(List<String> queues) {
            this.queues = queues;
        }

        public Builder tiers(DelayTiers tiers) {
            this.tiers = tiers;
            return this;
        }

        public Builder retry(RetryPolicies retry) {
            this.retry = retry;
            return this;
        }

        public Builder historyLimit(int historyLimit) {
            this.historyLimit = historyLimit;
            return this;
        }

        /** Kafka Streams' state directory, instead of Streams' default. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = Objects.requireNonNull(stateDir, STATE_DIR.name());
            return this;
        }

        public Builder maxPollWait(Duration maxPollWait) {
            this.maxPollWait = maxPollWait;
            return this;
        }

        public Builder forwarderRetryBackoff(Duration forwarderRetryBackoff) {
            this.forwarderRetryBackoff = forwarderRetryBackoff;
            return this;
        }

        /** How long routed attempts are remembered, instead of {@link #defaultRoutedRetention(RetryPolicies)}. */
        public Builder routedRetention(Duration routedRetention) {
            this.routedRetention = Objects.requireNonNull(routedRetention, ROUTED_RETENTION.name());
            return this;
        }

        /** How long failures may wait with none routed before the router counts as stalled. */
        public Builder routerStallTimeout(Duration routerStallTimeout) {
            this.routerStallTimeout = routerStallTimeout;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public DlqServiceConfig build() {
            return new DlqServiceConfig(
                    queues,
                    tiers,
                    retry,
                    historyLimit,
                    Optional.ofNullable(stateDir),
                    maxPollWait,
                    forwarderRetryBackoff,
                    Optional.ofNullable(routedRetention),
                    routerStallTimeout);
        }
    }
}
