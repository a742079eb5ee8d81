package io.jobstream.api;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the {@link JobStatusProjection} ({@code jobstream.status.*}). Immutable and validated at construction
 * by each key's rule, naming the key; made by {@link #builder()} or {@link #from(Config)}, copied with {@link
 * #toBuilder()}. With no queue the projection is off and {@code jobstream api} serves no
 * {@code /v1/jobs} routes.
 *
 * @param queues the queues whose jobs are tracked ({@code jobstream.status.queues}); empty turns the projection off
 * @param applicationId the Kafka Streams application id, shared by every API replica ({@code jobstream.status.application-id})
 * @param advertisedHost the host other replicas reach this one at; empty for this machine's address ({@code jobstream.status.advertised-host})
 * @param stateDir the Kafka Streams state directory; empty for Streams' default ({@code jobstream.status.state-dir})
 * @param historySize the most events kept per job ({@code jobstream.status.history-size})
 * @param retention how long a job is kept after its terminal state ({@code jobstream.status.retention})
 * @param idleRetention how long a job that has not finished is kept after its last event ({@code jobstream.status.idle-retention})
 * @param trackEnqueued whether the queue topics are read to record ENQUEUED ({@code jobstream.status.track-enqueued})
 * @param forwardTimeout how long a replica waits for the owner of a job it forwards to ({@code jobstream.status.forward-timeout})
 * @param streamThreads Kafka Streams threads folding events in this replica ({@code jobstream.status.stream-threads})
 * @param cacheSize bytes of heap for Kafka Streams' record cache in this replica ({@code jobstream.status.cache-size})
 */
public record JobStatusConfig(
        List<String> queues,
        String applicationId,
        Optional<String> advertisedHost,
        Optional<Path> stateDir,
        int historySize,
        Duration retention,
        Duration idleRetention,
        boolean trackEnqueued,
        Duration forwardTimeout,
        int streamThreads,
        long cacheSize) {

    /** The tracked queues. */
    public static final ConfigKey<List<String>> QUEUES = ConfigKey.listKey("jobstream.status.queues")
            .optional()
            .validator(ConfigValidator.satisfying(
                    "queue names: lowercase letters, digits, '.' and '-'",
                    queues -> queues.stream().allMatch(Topics::isValidQueue)))
            .doc("Queues whose jobs GET /v1/jobs/{id} can answer for: the projection reads each queue's <queue>.events"
                    + " (and, with jobstream.status.track-enqueued, the queue topic). Unset or empty: the job-status"
                    + " projection is off. A queue added later needs a restart of every API replica.")
            .build();

    /** The Streams application id. */
    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.stringKey("jobstream.status.application-id")
            .defaultValue(Names.STATUS_APPLICATION_ID)
            .validator(ConfigValidator.satisfying(
                    "letters, digits, '.', '_' and '-'", id -> id.matches("[A-Za-z0-9._-]+")))
            .doc("Kafka Streams application id of the job-status projection; every API replica of one deployment"
                    + " uses the same (its state is split among them). Also the prefix of its internal topics.")
            .build();

    /** The advertised host. */
    public static final ConfigKey<String> ADVERTISED_HOST = ConfigKey.stringKey("jobstream.status.advertised-host")
            .optional()
            .validator(ConfigValidator.satisfying(
                    "a host name or address without port or scheme (IPv6 in brackets)",
                    host -> !(host.isBlank() || host.contains(":") && !host.startsWith("[") || host.contains("/"))))
            .doc("Host name or address the other API replicas reach this one at (with jobstream.runtime.admin.port)"
                    + " when they forward a job-status request to the replica owning the job; in Kubernetes the pod"
                    + " IP. Unset: this machine's address.")
            .build();

    /** The state directory. */
    public static final ConfigKey<String> STATE_DIR = ConfigKey.stringKey("jobstream.status.state-dir")
            .optional()
            .validator(ConfigValidator.notBlank())
            .doc("Kafka Streams state directory of the job-status store (RocksDB); Streams' default when unset."
                    + " Keep it on a persistent volume to restart without restoring the store from its changelog.")
            .build();

    /** The history size. */
    public static final ConfigKey<Integer> HISTORY_SIZE = ConfigKey.intKey("jobstream.status.history-size")
            .defaultValue(50)
            .validator(ConfigValidator.range(1, 1000))
            .unit("events")
            .doc("Most events kept per job (the oldest are dropped first; the job's state, attempts and first"
                    + " enqueue time are kept regardless).")
            .build();

    /** The retention after the terminal state. */
    public static final ConfigKey<Duration> RETENTION = ConfigKey.durationKey("jobstream.status.retention")
            .defaultValue(Duration.ofHours(1))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(365)))
            .doc("How long a job's status is kept after it reached a terminal state (SUCCEEDED, DEAD_LETTERED,"
                    + " EXPIRED); then GET /v1/jobs/{id} answers 404. The store holds about rate x retention jobs.")
            .build();

    /** The retention of unfinished jobs. */
    public static final ConfigKey<Duration> IDLE_RETENTION = ConfigKey.durationKey("jobstream.status.idle-retention")
            .defaultValue(Duration.ofDays(7))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(365)))
            .doc("How long a job that has not reached a terminal state is kept after its last event (a job whose"
                    + " outcome was never reported, e.g. with the processor's events off).")
            .build();

    /** Whether ENQUEUED is read from the queue topics. */
    public static final ConfigKey<Boolean> TRACK_ENQUEUED = ConfigKey.booleanKey("jobstream.status.track-enqueued")
            .defaultValue(true)
            .doc("Whether the projection also reads each queue topic to record ENQUEUED for every job, whichever"
                    + " producer wrote it (re-keyed by job id through one internal topic). False halves the"
                    + " projection's input for payload-heavy queues; jobs then appear with their first outcome.")
            .build();

    /** The forwarding timeout. */
    public static final ConfigKey<Duration> FORWARD_TIMEOUT = ConfigKey.durationKey("jobstream.status.forward-timeout")
            .defaultValue(Duration.ofSeconds(5))
            .validator(ConfigValidator.range(Duration.ofMillis(100), Duration.ofMinutes(1)))
            .doc("How long a replica waits for the replica owning a job when it forwards a GET /v1/jobs request;"
                    + " then it answers 503 (OWNER_UNREACHABLE).")
            .build();

    /** The stream threads. */
    public static final ConfigKey<Integer> STREAM_THREADS = ConfigKey.intKey("jobstream.status.stream-threads")
            .defaultValue(1)
            .validator(ConfigValidator.range(1, 64))
            .unit("threads")
            .doc("Kafka Streams threads folding job events in each API replica; the store's partitions (the largest"
                    + " partition count of the tracked .events topics) are spread over all threads of all replicas.")
            .build();

    /** The record cache. */
    public static final ConfigKey<Long> CACHE_SIZE = ConfigKey.sizeKey("jobstream.status.cache-size")
            .defaultValue(64L * 1024 * 1024)
            .validator(ConfigValidator.range(0L, 16L * 1024 * 1024 * 1024))
            .doc("Heap for Kafka Streams' record cache (statestore.cache.max.bytes) in each API replica: updates of"
                    + " one job within the cache are merged before they reach RocksDB and the changelog topic, which"
                    + " is most of the projection's cost at high rates. 0 turns the cache off.")
            .build();

    /** Every key of the job-status projection. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            QUEUES,
            APPLICATION_ID,
            ADVERTISED_HOST,
            STATE_DIR,
            HISTORY_SIZE,
            RETENTION,
            IDLE_RETENTION,
            TRACK_ENQUEUED,
            FORWARD_TIMEOUT,
            STREAM_THREADS,
            CACHE_SIZE);

    /** Validates every field by its key's rule, naming the key. */
    public JobStatusConfig {
        queues = List.copyOf(new LinkedHashSet<>(QUEUES.check(queues)));
        APPLICATION_ID.check(applicationId);
        Objects.requireNonNull(advertisedHost, ADVERTISED_HOST.name()).ifPresent(ADVERTISED_HOST::check);
        Objects.requireNonNull(stateDir, STATE_DIR.name());
        HISTORY_SIZE.check(historySize);
        RETENTION.check(retention);
        IDLE_RETENTION.check(idleRetention);
        FORWARD_TIMEOUT.check(forwardTimeout);
        STREAM_THREADS.check(streamThreads);
        CACHE_SIZE.check(cacheSize);
    }

    /** A builder with every default, tracking no queue. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of every key, tracking {@code queues}. */
    public static JobStatusConfig defaults(List<String> queues) {
        return builder().queues(queues).build();
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static JobStatusConfig from(Config config) {
        Builder b = builder()
                .queues(config.find(QUEUES).orElse(List.of()))
                .applicationId(config.get(APPLICATION_ID))
                .historySize(config.get(HISTORY_SIZE))
                .retention(config.get(RETENTION))
                .idleRetention(config.get(IDLE_RETENTION))
                .trackEnqueued(config.get(TRACK_ENQUEUED))
                .forwardTimeout(config.get(FORWARD_TIMEOUT))
                .streamThreads(config.get(STREAM_THREADS))
                .cacheSize(config.get(CACHE_SIZE));
        config.find(ADVERTISED_HOST).ifPresent(b::advertisedHost);
        config.find(STATE_DIR).map(Path::of).ifPresent(b::stateDir);
        return b.build();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = builder()
                .queues(queues)
                .applicationId(applicationId)
                .historySize(historySize)
                .retention(retention)
                .idleRetention(idleRetention)
                .trackEnqueued(trackEnqueued)
                .forwardTimeout(forwardTimeout)
                .streamThreads(streamThreads)
                .cacheSize(cacheSize);
        advertisedHost.ifPresent(b::advertisedHost);
        stateDir.ifPresent(b::stateDir);
        return b;
    }

    /** Whether the projection runs: at least one queue is tracked. */
    public boolean enabled() {
        return !queues.isEmpty();
    }

    /** Builds a {@link JobStatusConfig}; every setting starts at its key's default. */
    public static final class Builder {
        private List<String> queues = List.of();
        private String applicationId = APPLICATION_ID.defaultValue().orElseThrow();
        private String advertisedHost;
        private Path stateDir;
        private int historySize = HISTORY_SIZE.defaultValue().orElseThrow();
        private Duration retention = RETENTION.defaultValue().orElseThrow();
        private Duration idleRetention = IDLE_RETENTION.defaultValue().orElseThrow();
        private boolean trackEnqueued = TRACK_ENQUEUED.defaultValue().orElseThrow();
        private Duration forwardTimeout = FORWARD_TIMEOUT.defaultValue().orElseThrow();
        private int streamThreads = STREAM_THREADS.defaultValue().orElseThrow();
        private long cacheSize = CACHE_SIZE.defaultValue().orElseThrow();

        private Builder() {}

        /** The queues whose jobs are tracked; none turns the projection off. */
        public Builder queues(List<String> queues) {
            this.queues = queues;
            return this;
        }

        public Builder applicationId(String applicationId) {
            this.applicationId = applicationId;
            return this;
        }

        /** The host other replicas reach this one at, instead of this machine's address. */
        public Builder advertisedHost(String advertisedHost) {
            this.advertisedHost = Objects.requireNonNull(advertisedHost, ADVERTISED_HOST.name());
            return this;
        }

        /** Kafka Streams' state directory, instead of Streams' default. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = Objects.requireNonNull(stateDir, STATE_DIR.name());
            return this;
        }

        public Builder historySize(int historySize) {
            this.historySize = historySize;
            return this;
        }

        /** How long a job is kept after its terminal state. */
        public Builder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        /** How long a job that has not finished is kept after its last event. */
        public Builder idleRetention(Duration idleRetention) {
            this.idleRetention = idleRetention;
            return this;
        }

        public Builder trackEnqueued(boolean trackEnqueued) {
            this.trackEnqueued = trackEnqueued;
            return this;
        }

        public Builder forwardTimeout(Duration forwardTimeout) {
            this.forwardTimeout = forwardTimeout;
            return this;
        }

        public Builder streamThreads(int streamThreads) {
            this.streamThreads = streamThreads;
            return this;
        }

        /** Bytes of heap for Kafka Streams' record cache. */
        public Builder cacheSize(long cacheSize) {
            this.cacheSize = cacheSize;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public JobStatusConfig build() {
            return new JobStatusConfig(
                    queues,
                    applicationId,
                    Optional.ofNullable(advertisedHost),
                    Optional.ofNullable(stateDir),
                    historySize,
                    retention,
                    idleRetention,
                    trackEnqueued,
                    forwardTimeout,
                    streamThreads,
                    cacheSize);
        }
    }
}
