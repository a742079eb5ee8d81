package io.jobstream.processor;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job of one type must hold before its handler runs, taken from the {@code Coordination} given to the
 * processor (Redis/Dragonfly, or the in-memory twin): a {@link LockRule lock} named from the job, a {@link
 * SemaphoreRule semaphore permit}, a {@link RateRule rate-limiter token}, and with {@code idempotent} an idempotency
 * claim on the job id (an id that already succeeded is skipped).
 *
 * <p>A job that cannot get all of them within {@code jobstream.worker.coordination-wait} is deferred, not failed:
 * re-published through a delay tier with its attempt unchanged. Set in config as {@code
 * jobstream.worker.types.<type>.*} ({@link #TYPES}, read by {@link #from(Config)}, which {@link ProcessorConfig#from}
 * calls) or with {@link JobProcessor.Builder#lock}, {@link JobProcessor.Builder#semaphore}, {@link
 * JobProcessor.Builder#rate} and {@link JobProcessor.Builder#idempotent}. Immutable; made by {@link #builder()}, copied
 * with {@link #toBuilder()}.
 *
 * @param lock an exclusive lock per job, named by a key template
 * @param semaphore a permit of a named semaphore
 * @param rate a token of a named rate limiter
 * @param idempotent whether each job id runs to success at most once
 */
public record CoordinationRules(
        Optional<LockRule> lock, Optional<SemaphoreRule> semaphore, Optional<RateRule> rate, boolean idempotent) {

    /** Per-type coordination: {@code jobstream.worker.types.<type>.<setting>}, read by {@link #from(Config)}. */
    public static final ConfigKey<Map<String, String>> TYPES = ConfigKey.mapKey("jobstream.worker.types")
            .doc("What jobs of a type hold while they run: <type>.lock.key (a key template: ${payload.<field>},"
                    + " ${key}, ${id}, ${type}, ${header.<name>}; lower-case references are not env vars),"
                    + " <type>.lock.lease (30s), <type>.semaphore.name and .permits, <type>.rate.name,"
                    + " .per-second and .burst (1), <type>.idempotent (true/false). Needs"
                    + " jobstream.coordination.redis-uri.")
            .build();

    /** The lease of a type's lock when {@code lock.lease} is not set: 30 s (renewed while the job runs). */
    public static final Duration DEFAULT_LOCK_LEASE = Duration.ofSeconds(30);

    /** No rules: the job runs as soon as it is ready. */
    public static final CoordinationRules NONE =
            new CoordinationRules(Optional.empty(), Optional.empty(), Optional.empty(), false);

    /** The settings under {@code jobstream.worker.types.<type>.}, longest first (a type name may contain dots). */
    private static final List<String> TYPE_SETTINGS = List.of(
            "lock.key",
            "lock.lease",
            "semaphore.name",
            "semaphore.permits",
            "rate.name",
            "rate.per-second",
            "rate.burst",
            "idempotent");

    /** The shortest lease a lock may have (the coordination store's minimum). */
    public static final Duration MIN_LEASE = Duration.ofMillis(30);

    public CoordinationRules {
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(semaphore, "semaphore");
        Objects.requireNonNull(rate, "rate");
    }

    /**
     * An exclusive lock named by {@code key} for each job, held while its handler runs; the lease is renewed by a
     * watchdog, so it only bounds how long a crashed worker's lock outlives it.
     */
    public record LockRule(KeyTemplate key, Duration lease) {
        public LockRule {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(MIN_LEASE) < 0) {
                throw new IllegalArgumentException("lock lease must be at least 30ms (was " + lease + ")");
            }
        }
    }

    /** One permit of the semaphore {@code name} with {@code permits} permits, shared by every worker using the name. */
    public record SemaphoreRule(String name, int permits) {
        public SemaphoreRule {
            checkName(name, "semaphore");
            if (permits < 1) {
                throw new IllegalArgumentException("semaphore permits must be at least 1 (was " + permits + ")");
            }
        }
    }

    /** One token of the rate limiter {@code name}: {@code perSecond} on average, up to {@code burst} at once. */
    public record RateRule(String name, double perSecond, int burst) {
        public RateRule {
            checkName(name, "rate limiter");
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate per-second must be positive (was " + perSecond + ")");
            }
            if (burst < 1) {
                throw new IllegalArgumentException("rate burst must be at least 1 (was " + burst + ")");
            }
        }
    }

    /** A builder with no rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these rules, to change some of them. */
    public Builder toBuilder() {
        Builder b = builder().idempotent(idempotent);
        lock.ifPresent(l -> b.lock(l.key(), l.lease()));
        semaphore.ifPresent(s -> b.semaphore(s.name(), s.permits()));
        rate.ifPresent(r -> b.rate(r.name(), r.perSecond(), r.burst()));
        return b;
    }

    /**
     * The rules of every type under {@link #TYPES} ({@code jobstream.worker.types.<type>.<setting>}) of a config whose
     * definition includes {@link #TYPES}, by type. Env vars read {@code _} as {@code .}, so {@code rate.per.second} is
     * accepted for {@code rate.per-second}.
     *
     * @throws ConfigException naming the full key of the first bad entry
     */
    public static Map<String, CoordinationRules> from(Config config) {
        return parse(config.get(TYPES));
    }

    static Map<String, CoordinationRules> parse(Map<String, String> entries) {
        Map<String, Map<String, String>> byType = new LinkedHashMap<>();
        List<String> settings = new ArrayList<>(TYPE_SETTINGS);
        settings.add("rate.per.second");
        settings.sort(Comparator.comparingInt(String::length).reversed());
        entries.forEach((entry, value) -> {
            String setting = null;
            for (String candidate : settings) {
                if (entry.endsWith("." + candidate) && entry.length() > candidate.length() + 1) {
                    setting = candidate;
                    break;
                }
            }
            if (setting == null) {
                throw new ConfigException("unknown key " + TYPES.name() + "." + entry + ": expected " + TYPES.name()
                        + ".<type>.<setting> with setting one of " + TYPE_SETTINGS);
            }
            String type = entry.substring(0, entry.length() - setting.length() - 1);
            String normalized = setting.equals("rate.per.second") ? "rate.per-second" : setting;
            byType.computeIfAbsent(type, t -> new LinkedHashMap<>()).put(normalized, value.strip());
        });
        Map<String, CoordinationRules> rules = new LinkedHashMap<>();
        byType.forEach((type, values) -> rules.put(type, parseType(type, values)));
        return rules;
    }

    private static CoordinationRules parseType(String type, Map<String, String> settings) {
        String prefix = TYPES.name() + "." + type + ".";
        Builder rules = builder();
        try {
            String lockKey = settings.get("lock.key");
            if (lockKey != null) {
                Duration lease = settings.containsKey("lock.lease")
                        ? typed(prefix + "lock.lease", settings.get("lock.lease"), ConfigType.DURATION)
                        : DEFAULT_LOCK_LEASE;
                KeyTemplate key;
                try {
                    key = KeyTemplate.parse(lockKey);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(
                            "invalid value '" + lockKey + "' for " + prefix + "lock.key: " + e.getMessage());
                }
                rules.lock(key, lease);
            } else if (settings.containsKey("lock.lease")) {
                throw new ConfigException(prefix + "lock.lease is set without " + prefix + "lock.key");
            }
            if (settings.containsKey("semaphore.name") || settings.containsKey("semaphore.permits")) {
                String name = required(settings, prefix, "semaphore.name", "semaphore.permits");
                String permits = required(settings, prefix, "semaphore.permits", "semaphore.name");
                rules.semaphore(name, typed(prefix + "semaphore.permits", permits, ConfigType.INT));
            }
            if (settings.containsKey("rate.name")
                    || settings.containsKey("rate.per-second")
                    || settings.containsKey("rate.burst")) {
                String name = required(settings, prefix, "rate.name", "rate.per-second");
                String perSecond = required(settings, prefix, "rate.per-second", "rate.name");
                int burst = settings.containsKey("rate.burst")
                        ? typed(prefix + "rate.burst", settings.get("rate.burst"), ConfigType.INT)
                        : 1;
                rules.rate(name, typed(prefix + "rate.per-second", perSecond, ConfigType.DOUBLE), burst);
            }
            if (settings.containsKey("idempotent")) {
                rules.idempotent(typed(prefix + "idempotent", settings.get("idempotent"), ConfigType.BOOLEAN));
            }
            return rules.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid settings under " + prefix + "*: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> settings, String prefix, String name, String because) {
        String value = settings.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigException(prefix + name + " must be set with " + prefix + because);
        }
        return value;
    }

    private static <T> T typed(String name, String raw, ConfigType<T> as) {
        try {
            return as.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value '" + raw + "' for " + name + ": expected " + as.expected());
        }
    }

    /** Whether there is nothing to take. */
    public boolean isEmpty() {
        return lock.isEmpty() && semaphore.isEmpty() && rate.isEmpty() && !idempotent;
    }

    private static void checkName(String name, String what) {
        Objects.requireNonNull(name, what + " name");
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be blank");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '{' || c == '}' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        what + " name '" + name + "' must not contain '{', '}' or control characters");
            }
        }
    }

    /** Builds {@link CoordinationRules}; starts with none, {@link #build()} validates. */
    public static final class Builder {
        private LockRule lock;
        private SemaphoreRule semaphore;
        private RateRule rate;
        private boolean idempotent;

        private Builder() {}

        /** A lock named by {@code key} for {@code lease}. */
        public Builder lock(KeyTemplate key, Duration lease) {
            this.lock = new LockRule(key, lease);
            return this;
        }

        /** A permit of semaphore {@code name}, which has {@code permits}. */
        public Builder semaphore(String name, int permits) {
            this.semaphore = new SemaphoreRule(name, permits);
            return this;
        }

        /** A token of rate limiter {@code name}. */
        public Builder rate(String name, double perSecond, int burst) {
            this.rate = new RateRule(name, perSecond, burst);
            return this;
        }

        /** Whether each job id runs to success at most once. */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /** The rules. */
        public CoordinationRules build() {
            return new CoordinationRules(
                    Optional.ofNullable(lock), Optional.ofNullable(semaphore), Optional.ofNullable(rate), idempotent);
        }
    }
}
