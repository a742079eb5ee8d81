package io.jobstream.scheduler;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.schemas.Names;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Settings of the {@link CronScheduler}: the schedules and how replicas share them. Immutable and validated at
 * construction by each key's rule, naming the key; made by {@link #builder()}, {@link #of(List)} or {@link
 * #from(Config)}, copied with {@link #toBuilder()}.
 *
 * <p>Schedules are configured as {@code jobstream.scheduler.schedules.<name>.<field>}, fields {@code cron},
 * {@code queue}, {@code type} (required), {@code payload} (JSON, default {@code {}}), {@code zone} (default UTC),
 * {@code ordering-key}, {@code max-attempts}, {@code misfire} ({@code skip} or {@code fire-once}).
 *
 * @param schedules the cron entries
 * @param leaderLease how long a leader's term lasts without renewal: how soon another replica takes over
 * @param checkInterval how often the leader looks for due ticks
 * @param misfireGrace ticks missed for less than this are always fired (e.g. while leadership moves); older ones
 *     follow each schedule's {@link MisfirePolicy}
 * @param markerTopic the compacted topic holding each schedule's last fired tick, written in one transaction with the
 *     tick's job; every replica of one deployment uses the same (its name also makes the transactional id)
 */
public record SchedulerConfig(
        List<Schedule> schedules,
        Duration leaderLease,
        Duration checkInterval,
        Duration misfireGrace,
        String markerTopic) {

    private static final Set<String> FIELDS =
            Set.of("cron", "queue", "type", "payload", "zone", "ordering-key", "max-attempts", "misfire");

    public static final ConfigKey<Map<String, String>> SCHEDULES = ConfigKey.mapKey("jobstream.scheduler.schedules")
            .doc("Cron entries: jobstream.scheduler.schedules.<name>.cron|queue|type|payload|zone|ordering-key"
                    + "|max-attempts|misfire.")
            .build();
    public static final ConfigKey<Duration> LEADER_LEASE = ConfigKey.durationKey("jobstream.scheduler.leader-lease")
            .defaultValue(Duration.ofSeconds(15))
            .validator(ConfigValidator.atLeast(Duration.ofMillis(1)))
            .doc("Leader term without renewal: how soon another scheduler replica takes over.")
            .build();
    public static final ConfigKey<Duration> CHECK_INTERVAL = ConfigKey.durationKey("jobstream.scheduler.check-interval")
            .defaultValue(Duration.ofSeconds(1))
            .validator(ConfigValidator.atLeast(Duration.ofMillis(1)))
            .doc("How often the leader looks for due ticks.")
            .build();
    public static final ConfigKey<Duration> MISFIRE_GRACE = ConfigKey.durationKey("jobstream.scheduler.misfire-grace")
            .defaultValue(Duration.ofMinutes(1))
            .validator(ConfigValidator.atLeast(Duration.ofMillis(1)))
            .doc("Ticks missed for less than this are fired late; older ones follow the schedule's misfire policy.")
            .build();
    public static final ConfigKey<String> MARKER_TOPIC = ConfigKey.stringKey("jobstream.scheduler.marker-topic")
            .defaultValue(Names.SCHEDULER_MARKER_TOPIC)
            .validator(topic -> isValidTopic(topic)
                    ? Optional.empty()
                    : Optional.of("must be a topic name: letters, digits, '.', '_' and '-', at most 249"))
            .doc("Compacted topic holding each schedule's last fired tick (key: schedule name), written in one"
                    + " transaction with the tick's job and read by every new leader; created when missing. Every"
                    + " replica of one deployment uses the same; its name also makes the transactional id"
                    + " jobstream-scheduler.<topic>.")
            .build();

    /** Every scheduler key. */
    public static final ConfigDefinition DEFINITION =
            ConfigDefinition.of(SCHEDULES, LEADER_LEASE, CHECK_INTERVAL, MISFIRE_GRACE, MARKER_TOPIC);

    /** Validates every field by its key's rule, naming the key. */
    public SchedulerConfig {
        schedules = List.copyOf(Objects.requireNonNull(schedules, SCHEDULES.name()));
        LEADER_LEASE.check(leaderLease);
        CHECK_INTERVAL.check(checkInterval);
        MISFIRE_GRACE.check(misfireGrace);
        MARKER_TOPIC.check(markerTopic);
        if (misfireGrace.compareTo(checkInterval) < 0) {
            throw new ConfigException(MISFIRE_GRACE.name() + " (" + misfireGrace + ") must be at least "
                    + CHECK_INTERVAL.name() + " (" + checkInterval + ")");
        }
    }

    /** A builder with every default and no schedules. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code schedules} with the default settings. */
    public static SchedulerConfig of(List<Schedule> schedules) {
        return builder().schedules(schedules).build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .schedules(schedules)
                .leaderLease(leaderLease)
                .checkInterval(checkInterval)
                .misfireGrace(misfireGrace)
                .markerTopic(markerTopic);
    }

    /** Reads the scheduler keys of {@code config}; every problem names its key. */
    public static SchedulerConfig from(Config config) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        config.get(SCHEDULES).forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            String field = dot < 0 ? "" : key.substring(dot + 1);
            if (dot < 0 || !FIELDS.contains(field)) {
                problems.add("unknown key " + SCHEDULES.name() + "." + key + "; a schedule's fields are "
                        + String.join(", ", new java.util.TreeSet<>(FIELDS)));
                return;
            }
            byName.computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>()).put(field, value);
        });
        List<Schedule> schedules = new ArrayList<>();
        byName.forEach((name, fields) -> {
            String prefix = SCHEDULES.name() + "." + name + ".";
            try {
                schedules.add(new Schedule(
                        name,
                        required(fields, "cron", prefix),
                        zone(fields.get("zone"), prefix),
                        required(fields, "queue", prefix),
                        required(fields, "type", prefix),
                        fields.get("payload"),
                        Optional.ofNullable(fields.get("ordering-key")),
                        Optional.ofNullable(fields.get("max-attempts")).map(v -> positiveInt(v, prefix)),
                        misfire(fields.get("misfire"), prefix)));
            } catch (IllegalArgumentException e) {
                problems.add(prefix.substring(0, prefix.length() - 1) + ": " + e.getMessage());
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return builder()
                .schedules(schedules)
                .leaderLease(config.get(LEADER_LEASE))
                .checkInterval(config.get(CHECK_INTERVAL))
                .misfireGrace(config.get(MISFIRE_GRACE))
                .markerTopic(config.get(MARKER_TOPIC))
                .build();
    }

    private static String required(Map<String, String> fields, String field, String prefix) {
        String value = fields.get(field);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing " + prefix + field);
        }
        return value;
    }

    private static ZoneId zone(String value, String prefix) {
        try {
            return value == null ? ZoneId.of("UTC") : ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(prefix + "zone '" + value + "' is not a time zone id", e);
        }
    }

    private static int positiveInt(String value, String prefix) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(prefix + "max-attempts '" + value + "' must be a positive whole number");
    }

    private static MisfirePolicy misfire(String value, String prefix) {
        if (value == null) {
            return MisfirePolicy.SKIP;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "skip" -> MisfirePolicy.SKIP;
            case "fire-once", "fire_once" -> MisfirePolicy.FIRE_ONCE;
            default -> throw new IllegalArgumentException(prefix + "misfire '" + value + "' must be skip or fire-once");
        };
    }

    private static boolean isValidTopic(String topic) {
        return !topic.isEmpty()
                && topic.length() <= 249
                && !topic.equals(".")
                && !topic.equals("..")
                && topic.chars()
                        .allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-');
    }

    /** Builds a {@link SchedulerConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private List<Schedule> schedules = List.of();
        private Duration leaderLease = LEADER_LEASE.defaultValue().orElseThrow();
        private Duration checkInterval = CHECK_INTERVAL.defaultValue().orElseThrow();
        private Duration misfireGrace = MISFIRE_GRACE.defaultValue().orElseThrow();
        private String markerTopic = MARKER_TOPIC.defaultValue().orElseThrow();

        private Builder() {}

        public Builder schedules(List<Schedule> schedules) {
            this.schedules = schedules;
            return this;
        }

        public Builder leaderLease(Duration leaderLease) {
            this.leaderLease = leaderLease;
            return this;
        }

        public Builder checkInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
            return this;
        }

        public Builder misfireGrace(Duration misfireGrace) {
            this.misfireGrace = misfireGrace;
            return this;
        }

        public Builder markerTopic(String markerTopic) {
            this.markerTopic = markerTopic;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public SchedulerConfig build() {
            return new SchedulerConfig(schedules, leaderLease, checkInterval, misfireGrace, markerTopic);
        }
    }
}
