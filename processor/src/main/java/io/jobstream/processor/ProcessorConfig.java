package io.jobstream.processor;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigType;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.SchemaSettings;
import io.jobstream.runtime.TopicSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A processor's settings. Immutable and validated at construction by each key's rule: a bad value fails naming its
 * key. Made by {@link #builder(String, KafkaSettings)} or {@link #from(Config)}, copied with {@link #toBuilder()}. The
 * keys ({@code jobstream.worker.*}), their defaults and docs live here and nowhere else, but for the per-type rules
 * ({@link CoordinationRules#TYPES}, read by {@link CoordinationRules#from(Config)}); {@link #DEFINITION} groups them
 * with the {@code jobstream.schemas.*} keys.
 *
 * @param queue the queue (topic) to work on
 * @param group the consumer group; {@code <queue>.workers} unless set
 * @param kafka how to reach Kafka
 * @param serde how derived records (.failed, .events, deferrals) are written, and the registry jobs are read with
 *     ({@code jobstream.schemas.*})
 * @param concurrency jobs in flight at once, over all partitions
 * @param ordering how jobs of one partition are ordered
 * @param commitInterval how often finished offsets are committed
 * @param jobTimeout how long a job may run unless its type has its own timeout
 * @param typeTimeouts timeouts of particular job types
 * @param typeConcurrency in-flight limits of particular job types (below {@code concurrency})
 * @param instanceId {@code group.instance.id} for static membership, when set
 * @param workerId this worker's name in failure records; the instance id, else {@code <host>-<pid>}
 * @param maxPendingPerPartition jobs fetched from one partition and not yet committable before it is paused
 * @param revokeTimeout how long a revoked partition's in-flight jobs are waited for before committing
 * @param typeRules what jobs of particular types must hold before they run (locks, permits, rate, idempotency)
 * @param coordinationWait how long a job waits for its lock, permit or rate token before it is deferred
 * @param deferDelay how long a deferred job waits (in a delay tier) before it runs again
 * @param delayTiers the delay tiers whose topics exist; a deferred job goes to the one that fits {@code deferDelay}
 * @param idempotencyRetention how long an idempotent job id stays marked done
 * @param events which job events are written to {@code <queue>.events}
 * @param heartbeatSilenceLimit how long the consumer may go without sending its group coordinator a heartbeat before
 *     the worker starts no new job (zero: no limit)
 */
public record ProcessorConfig(
        String queue,
        String group,
        KafkaSettings kafka,
        SerdeConfig serde,
        int concurrency,
        OrderingMode ordering,
        Duration commitInterval,
        Duration jobTimeout,
        Map<String, Duration> typeTimeouts,
        Map<String, Integer> typeConcurrency,
        Optional<String> instanceId,
        String workerId,
        int maxPendingPerPartition,
        Duration revokeTimeout,
        Map<String, CoordinationRules> typeRules,
        Duration coordinationWait,
        Duration deferDelay,
        DelayTiers delayTiers,
        Duration idempotencyRetention,
        EventLevel events,
        Duration heartbeatSilenceLimit) {

    /** The queue to work on. */
    public static final ConfigKey<String> QUEUE = ConfigKey.stringKey("jobstream.worker.queue")
            .validator(value -> Topics.isValidQueue(value)
                    ? Optional.empty()
                    : Optional.of("must be a queue name: lowercase letters, digits, '.' and '-'"))
            .doc("The queue (topic) whose jobs this worker runs.")
            .build();

    /** The consumer group. */
    public static final ConfigKey<String> GROUP = ConfigKey.stringKey("jobstream.worker.group")
            .optional()
            .validator(ConfigValidator.notBlank())
            .doc("Consumer group of the workers; <queue>.workers when unset.")
            .build();

    /** Global in-flight limit. */
    public static final ConfigKey<Integer> CONCURRENCY = ConfigKey.intKey("jobstream.worker.concurrency")
            .defaultValue(100)
            .validator(ConfigValidator.range(1, 100_000))
            .unit("jobs")
            .doc("Jobs in flight at once in this worker, over all partitions; each runs on a virtual thread.")
            .build();

    /** Ordering mode. */
    public static final ConfigKey<OrderingMode> ORDERING = ConfigKey.enumKey(
                    "jobstream.worker.ordering", OrderingMode.class)
            .defaultValue(OrderingMode.KEY)
            .doc("KEY: one job in flight per ordering key; PARTITION: one per partition; UNORDERED: no ordering.")
            .build();

    /** Commit interval. */
    public static final ConfigKey<Duration> COMMIT_INTERVAL = ConfigKey.durationKey("jobstream.worker.commit-interval")
            .defaultValue(Duration.ofMillis(100))
            .validator(ConfigValidator.range(Duration.ofMillis(10), Duration.ofMinutes(5)))
            .doc("How often the offset after each partition's contiguous finished jobs is committed (only when it"
                    + " moved). After a crash, jobs that finished within the last interval run again.")
            .build();

    /** Default job timeout. */
    public static final ConfigKey<Duration> JOB_TIMEOUT = ConfigKey.durationKey("jobstream.worker.job-timeout")
            .defaultValue(Duration.ofMinutes(5))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofDays(1)))
            .doc("How long a job may run before it is interrupted and fails with TIMEOUT, unless its type has its own"
                    + " timeout.")
            .build();

    /** Per-type timeouts. */
    public static final ConfigKey<Map<String, String>> TYPE_TIMEOUTS = ConfigKey.mapKey(
                    "jobstream.worker.type-timeouts")
            .doc("Timeouts of particular job types, e.g. jobstream.worker.type-timeouts.send_email: 30s.")
            .build();

    /** Per-type in-flight limits. */
    public static final ConfigKey<Map<String, String>> TYPE_CONCURRENCY = ConfigKey.mapKey(
                    "jobstream.worker.type-concurrency")
            .doc("In-flight limits of particular job types, e.g. jobstream.worker.type-concurrency.resize_image: 4.")
            .build();

    /** Static membership. */
    public static final ConfigKey<String> INSTANCE_ID = ConfigKey.stringKey("jobstream.worker.instance-id")
            .optional()
            .validator(ConfigValidator.notBlank())
            .doc("group.instance.id for static group membership: a restart with the same id keeps the partitions.")
            .build();

    /** Worker id in failure records. */
    public static final ConfigKey<String> WORKER_ID = ConfigKey.stringKey("jobstream.worker.id")
            .optional()
            .validator(ConfigValidator.notBlank())
            .doc("This worker's name in failure records; the instance id, else <host>-<pid>, when unset.")
            .build();

    /** Per-partition buffer bound. */
    public static final ConfigKey<Integer> MAX_PENDING_PER_PARTITION = ConfigKey.intKey(
                    "jobstream.worker.max-pending-per-partition")
            .defaultValue(1000)
            .validator(ConfigValidator.range(1, 1_000_000))
            .unit("jobs")
            .doc("Jobs fetched from one partition and not yet committable (waiting, running, or finished behind an"
                    + " unfinished one) at which the partition is paused; it resumes at half.")
            .build();

    /** Revoke drain budget. */
    public static final ConfigKey<Duration> REVOKE_TIMEOUT = ConfigKey.durationKey("jobstream.worker.revoke-timeout")
            .defaultValue(Duration.ofSeconds(10))
            .validator(ConfigValidator.range(Duration.ZERO, Duration.ofMinutes(5)))
            .doc("How long in-flight jobs of revoked partitions are waited for before their finished offsets are"
                    + " committed and the partitions given up.")
            .build();

    /** How long a job waits for its lock, permit or rate token. */
    public static final ConfigKey<Duration> COORDINATION_WAIT = ConfigKey.durationKey(
                    "jobstream.worker.coordination-wait")
            .defaultValue(Duration.ofSeconds(2))
            .validator(ConfigValidator.range(Duration.ZERO, Duration.ofMinutes(5)))
            .doc("How long a job waits for its lock, semaphore permit or rate token before it is deferred (re-queued"
                    + " through a delay tier, attempt unchanged) instead of run.")
            .build();

    /** Delay of a deferred job. */
    public static final ConfigKey<Duration> DEFER_DELAY = ConfigKey.durationKey("jobstream.worker.defer-delay")
            .defaultValue(Duration.ofSeconds(5))
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofDays(1)))
            .doc("How long a deferred job waits in a delay tier before it is due again (at least the smallest tier).")
            .build();

    /** How long an idempotent job id stays done. */
    public static final ConfigKey<Duration> IDEMPOTENCY_RETENTION = ConfigKey.durationKey(
                    "jobstream.worker.idempotency-retention")
            .defaultValue(Duration.ofDays(7))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(365)))
            .doc("How long the id of a job of an idempotent type stays marked done; a redelivery within it is"
                    + " skipped.")
            .build();

    /** Event level. */
    public static final ConfigKey<EventLevel> EVENTS = ConfigKey.enumKey("jobstream.worker.events", EventLevel.class)
            .defaultValue(EventLevel.OUTCOMES)
            .doc("Job events written to <queue>.events (key: job id): NONE; OUTCOMES (SUCCEEDED, FAILED, EXPIRED),"
                    + " each acknowledged before the job's offset counts as done; ALL (also STARTED).")
            .build();

    /** When a worker cut off from its group coordinator stops starting jobs. */
    public static final ConfigKey<Duration> HEARTBEAT_SILENCE_LIMIT = ConfigKey.durationKey(
                    "jobstream.worker.heartbeat-silence-limit")
            .defaultValue(Duration.ofSeconds(15))
            .validator(ConfigValidator.range(Duration.ZERO, Duration.ofMinutes(5)))
            .doc("While the worker's consumer has sent its group coordinator no heartbeat for this long (whole"
                    + " seconds; it cannot reach it, or its last heartbeat is unanswered) the worker starts no new job:"
                    + " the coordinator may have fenced it and given its partitions to another worker, and a worker"
                    + " cut off by a network partition still fetches once it is healed, before it learns that. Keep it"
                    + " above the brokers' group.consumer.heartbeat.interval.ms (5 s by default) and below their"
                    + " group.consumer.session.timeout.ms (45 s). 0s: no limit.")
            .build();

    /**
     * Every key of this module, the shared delay tiers ({@link TopicSettings}) and the {@code jobstream.schemas.*} keys
     * jobs are read and derived records written by.
     */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
                    QUEUE,
                    GROUP,
                    CONCURRENCY,
                    ORDERING,
                    COMMIT_INTERVAL,
                    JOB_TIMEOUT,
                    TYPE_TIMEOUTS,
                    TYPE_CONCURRENCY,
                    INSTANCE_ID,
                    WORKER_ID,
                    MAX_PENDING_PER_PARTITION,
                    REVOKE_TIMEOUT,
                    CoordinationRules.TYPES,
                    COORDINATION_WAIT,
                    DEFER_DELAY,
                    IDEMPOTENCY_RETENTION,
                    EVENTS,
                    HEARTBEAT_SILENCE_LIMIT)
            .and(TopicSettings.DEFINITION)
            .and(SchemaSettings.DEFINITION);

    /** Validates every field by its key's rule, naming the key. */
    public ProcessorConfig {
        QUEUE.check(queue);
        GROUP.check(group);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(serde, "serde");
        CONCURRENCY.check(concurrency);
        ORDERING.check(ordering);
        COMMIT_INTERVAL.check(commitInterval);
        JOB_TIMEOUT.check(jobTimeout);
        typeTimeouts = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(typeTimeouts, TYPE_TIMEOUTS.name())));
        typeTimeouts.forEach((type, timeout) -> JOB_TIMEOUT.checkAs(TYPE_TIMEOUTS.name() + "." + type, timeout));
        typeConcurrency = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(typeConcurrency, TYPE_CONCURRENCY.name())));
        typeConcurrency.forEach((type, limit) -> CONCURRENCY.checkAs(TYPE_CONCURRENCY.name() + "." + type, limit));
        Objects.requireNonNull(instanceId, INSTANCE_ID.name()).ifPresent(INSTANCE_ID::check);
        WORKER_ID.check(workerId);
        MAX_PENDING_PER_PARTITION.check(maxPendingPerPartition);
        REVOKE_TIMEOUT.check(revokeTimeout);
        typeRules = Collections.unmodifiableMap(
                new LinkedHashMap<>(Objects.requireNonNull(typeRules, CoordinationRules.TYPES.name())));
        typeRules.forEach((type, rules) -> Objects.requireNonNull(rules, CoordinationRules.TYPES.name() + "." + type));
        COORDINATION_WAIT.check(coordinationWait);
        DEFER_DELAY.check(deferDelay);
        TopicSettings.check(delayTiers);
        IDEMPOTENCY_RETENTION.check(idempotencyRetention);
        EVENTS.check(events);
        HEARTBEAT_SILENCE_LIMIT.check(heartbeatSilenceLimit);
    }

    /** A builder with every default, for {@code queue} on {@code kafka}. */
    public static Builder builder(String queue, KafkaSettings kafka) {
        return new Builder(queue, kafka);
    }

    /** Reads the settings from a config loaded with {@link #DEFINITION} and {@link KafkaSettings#DEFINITION}. */
    public static ProcessorConfig from(Config config) {
        Builder b = builder(config.get(QUEUE), KafkaSettings.from(config))
                .concurrency(config.get(CONCURRENCY))
                .ordering(config.get(ORDERING))
                .commitInterval(config.get(COMMIT_INTERVAL))
                .jobTimeout(config.get(JOB_TIMEOUT))
                .maxPendingPerPartition(config.get(MAX_PENDING_PER_PARTITION))
                .revokeTimeout(config.get(REVOKE_TIMEOUT))
                .coordinationWait(config.get(COORDINATION_WAIT))
                .deferDelay(config.get(DEFER_DELAY))
                .delayTiers(TopicSettings.delayTiers(config))
                .idempotencyRetention(config.get(IDEMPOTENCY_RETENTION))
                .events(config.get(EVENTS))
                .heartbeatSilenceLimit(config.get(HEARTBEAT_SILENCE_LIMIT))
                .serde(SchemaSettings.from(config));
        config.find(GROUP).ifPresent(b::group);
        config.find(INSTANCE_ID).ifPresent(b::instanceId);
        config.find(WORKER_ID).ifPresent(b::workerId);
        config.get(TYPE_TIMEOUTS)
                .forEach((type, raw) -> b.typeTimeout(type, parse(TYPE_TIMEOUTS, type, raw, ConfigType.DURATION)));
        config.get(TYPE_CONCURRENCY)
                .forEach((type, raw) -> b.typeConcurrency(type, parse(TYPE_CONCURRENCY, type, raw, ConfigType.INT)));
        CoordinationRules.from(config).forEach(b::typeRules);
        return b.build();
    }

    /**
     * A builder holding this config's settings, to change some of them. The group and worker id are kept when they
     * were set; when they were derived ({@code <queue>.workers}, the instance id) they are derived again.
     */
    public Builder toBuilder() {
        Builder b = builder(queue, kafka)
                .serde(serde)
                .concurrency(concurrency)
                .ordering(ordering)
                .commitInterval(commitInterval)
                .jobTimeout(jobTimeout)
                .maxPendingPerPartition(maxPendingPerPartition)
                .revokeTimeout(revokeTimeout)
                .coordinationWait(coordinationWait)
                .deferDelay(deferDelay)
                .delayTiers(delayTiers)
                .idempotencyRetention(idempotencyRetention)
                .events(events)
                .heartbeatSilenceLimit(heartbeatSilenceLimit);
        typeTimeouts.forEach(b::typeTimeout);
        typeConcurrency.forEach(b::typeConcurrency);
        typeRules.forEach(b::typeRules);
        instanceId.ifPresent(b::instanceId);
        if (!group.equals(Names.workerGroup(queue))) {
            b.group(group);
        }
        if (!workerId.equals(instanceId.orElse(null))) {
            b.workerId(workerId);
        }
        return b;
    }

    /** The rules of jobs of {@code type}; {@link CoordinationRules#NONE} when it has none. */
    public CoordinationRules rulesOf(String type) {
        return typeRules.getOrDefault(type, CoordinationRules.NONE);
    }

    /** The timeout of a job of {@code type}. */
    public Duration timeoutOf(String type) {
        return typeTimeouts.getOrDefault(type, jobTimeout);
    }

    private static <T> T parse(ConfigKey<?> key, String type, String raw, ConfigType<T> as) {
        try {
            return as.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "invalid value '" + raw + "' for " + key.name() + "." + type + ": expected " + as.expected());
        }
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** Builds a {@link ProcessorConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private final String queue;
        private final KafkaSettings kafka;
        private String group;
        private SerdeConfig serde = SerdeConfig.singleObject();
        private int concurrency = CONCURRENCY.defaultValue().orElseThrow();
        private OrderingMode ordering = ORDERING.defaultValue().orElseThrow();
        private Duration commitInterval = COMMIT_INTERVAL.defaultValue().orElseThrow();
        private Duration jobTimeout = JOB_TIMEOUT.defaultValue().orElseThrow();
        private final Map<String, Duration> typeTimeouts = new LinkedHashMap<>();
        private final Map<String, Integer> typeConcurrency = new LinkedHashMap<>();
        private String instanceId;
        private String workerId;
        private int maxPendingPerPartition =
                MAX_PENDING_PER_PARTITION.defaultValue().orElseThrow();
        private Duration revokeTimeout = REVOKE_TIMEOUT.defaultValue().orElseThrow();
        private final Map<String, CoordinationRules> typeRules = new LinkedHashMap<>();
        private Duration coordinationWait = COORDINATION_WAIT.defaultValue().orElseThrow();
        private Duration deferDelay = DEFER_DELAY.defaultValue().orElseThrow();
        private DelayTiers delayTiers = TopicSettings.defaultDelayTiers();
        private Duration idempotencyRetention =
                IDEMPOTENCY_RETENTION.defaultValue().orElseThrow();
        private EventLevel events = EVENTS.defaultValue().orElseThrow();
        private Duration heartbeatSilenceLimit =
                HEARTBEAT_SILENCE_LIMIT.defaultValue().orElseThrow();

        private Builder(String queue, KafkaSettings kafka) {
            this.queue = queue;
            this.kafka = kafka;
        }

        /** The consumer group, instead of {@code <queue>.workers}. */
        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder serde(SerdeConfig serde) {
            this.serde = serde;
            return this;
        }

        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder ordering(OrderingMode ordering) {
            this.ordering = ordering;
            return this;
        }

        public Builder commitInterval(Duration commitInterval) {
            this.commitInterval = commitInterval;
            return this;
        }

        public Builder jobTimeout(Duration jobTimeout) {
            this.jobTimeout = jobTimeout;
            return this;
        }

        public Builder typeTimeout(String type, Duration timeout) {
            typeTimeouts.put(Objects.requireNonNull(type, "type"), timeout);
            return this;
        }

        public Builder typeConcurrency(String type, int limit) {
            typeConcurrency.put(Objects.requireNonNull(type, "type"), limit);
            return this;
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder workerId(String workerId) {
            this.workerId = workerId;
            return this;
        }

        public Builder maxPendingPerPartition(int maxPendingPerPartition) {
            this.maxPendingPerPartition = maxPendingPerPartition;
            return this;
        }

        public Builder revokeTimeout(Duration revokeTimeout) {
            this.revokeTimeout = revokeTimeout;
            return this;
        }

        /** What jobs of {@code type} hold while they run (replaces earlier rules of the type). */
        public Builder typeRules(String type, CoordinationRules rules) {
            typeRules.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(rules, "rules"));
            return this;
        }

        public Builder coordinationWait(Duration coordinationWait) {
            this.coordinationWait = coordinationWait;
            return this;
        }

        public Builder deferDelay(Duration deferDelay) {
            this.deferDelay = deferDelay;
            return this;
        }

        public Builder delayTiers(DelayTiers delayTiers) {
            this.delayTiers = delayTiers;
            return this;
        }

        public Builder idempotencyRetention(Duration idempotencyRetention) {
            this.idempotencyRetention = idempotencyRetention;
            return this;
        }

        public Builder events(EventLevel events) {
            this.events = events;
            return this;
        }

        /** {@code Duration.ZERO}: no limit. */
        public Builder heartbeatSilenceLimit(Duration heartbeatSilenceLimit) {
            this.heartbeatSilenceLimit = heartbeatSilenceLimit;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public ProcessorConfig build() {
            return new ProcessorConfig(
                    queue,
                    group != null || queue == null || !Topics.isValidQueue(queue) ? group : Names.workerGroup(queue),
                    kafka,
                    serde,
                    concurrency,
                    ordering,
                    commitInterval,
                    jobTimeout,
                    typeTimeouts,
                    typeConcurrency,
                    Optional.ofNullable(instanceId),
                    workerId != null ? workerId : instanceId != null ? instanceId : defaultWorkerId(),
                    maxPendingPerPartition,
                    revokeTimeout,
                    typeRules,
                    coordinationWait,
                    deferDelay,
                    delayTiers,
                    idempotencyRetention,
                    events,
                    heartbeatSilenceLimit);
        }
    }
}
