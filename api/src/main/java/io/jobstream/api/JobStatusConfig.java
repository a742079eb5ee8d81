package io.jobstream.api;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of the {@link JobStatusProjection} ({@code jobstream.status.*}). Immutable; validated at construction,
 * naming the key in every error. With no queue the projection is off and {@code jobstream api} serves no
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
            .doc("Queues whose jobs GET /v1/jobs/{id} can answer for: the projection reads each queue's <queue>.events"
                    + " (and, with jobstream.status.track-enqueued, the queue topic). Unset or empty: the job-status"
                    + " projection is off. A queue added later needs a restart of every API replica.")
            .build();

    /** The Streams application id. */
    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.stringKey("jobstream.status.application-id")
            .defaultValue("jobstream-status")
            .validator(ConfigValidator.notBlank())
            .doc("Kafka Streams application id of the job-status projection; every API replica of one deployment"
                    + " uses the same (its state is split among them). Also the prefix of its internal topics.")
            .build();

    /** The advertised host. */
    public static final ConfigKey<String> ADVERTISED_HOST = ConfigKey.stringKey("jobstream.status.advertised-host")
            .optional()
            .validator(ConfigValidator.notBlank())
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

    private static final Pattern APPLICATION_ID_CHARS = Pattern.compile("[A-Za-z0-9._-]+");

    /** Validates every field, naming its key. */
    public JobStatusConfig {
        queues = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(queues, QUEUES.name())));
        for (String queue : queues) {
            if (!Topics.isValidQueue(queue)) {
                throw new ConfigException(QUEUES.name() + " holds an invalid queue name '" + queue + "'");
            }
        }
        Objects.requireNonNull(applicationId, APPLICATION_ID.name());
        if (!APPLICATION_ID_CHARS.matcher(applicationId).matches()) {
            throw new ConfigException(APPLICATION_ID.name() + " may hold only letters, digits, '.', '_' and '-', got '"
                    + applicationId + "'");
        }
        advertisedHost = Objects.requireNonNull(advertisedHost, ADVERTISED_HOST.name());
        advertisedHost.ifPresent(host -> {
            if (host.isBlank() || host.contains(":") && !host.startsWith("[") || host.contains("/")) {
                throw new ConfigException(ADVERTISED_HOST.name() + " must be a host name or address without port or"
                        + " scheme (IPv6 in brackets), got '" + host + "'");
            }
        });
        stateDir = Objects.requireNonNull(stateDir, STATE_DIR.name());
        check(HISTORY_SIZE, historySize);
        check(RETENTION, Objects.requireNonNull(retention, RETENTION.name()));
        check(IDLE_RETENTION, Objects.requireNonNull(idleRetention, IDLE_RETENTION.name()));
        check(FORWARD_TIMEOUT, Objects.requireNonNull(forwardTimeout, FORWARD_TIMEOUT.name()));
        check(STREAM_THREADS, streamThreads);
        check(CACHE_SIZE, cacheSize);
    }

    /** The defaults of every key, tracking {@code queues}. */
    public static JobStatusConfig defaults(List<String> queues) {
        return new JobStatusConfig(
                queues,
                APPLICATION_ID.defaultValue().orElseThrow(),
                Optional.empty(),
                Optional.empty(),
                HISTORY_SIZE.defaultValue().orElseThrow(),
                RETENTION.defaultValue().orElseThrow(),
                IDLE_RETENTION.defaultValue().orElseThrow(),
                TRACK_ENQUEUED.defaultValue().orElseThrow(),
                FORWARD_TIMEOUT.defaultValue().orElseThrow(),
                STREAM_THREADS.defaultValue().orElseThrow(),
                CACHE_SIZE.defaultValue().orElseThrow());
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static JobStatusConfig from(Config config) {
        return new JobStatusConfig(
                config.find(QUEUES).orElse(List.of()),
                config.get(APPLICATION_ID),
                config.find(ADVERTISED_HOST),
                config.find(STATE_DIR).map(Path::of),
                config.get(HISTORY_SIZE),
                config.get(RETENTION),
                config.get(IDLE_RETENTION),
                config.get(TRACK_ENQUEUED),
                config.get(FORWARD_TIMEOUT),
                config.get(STREAM_THREADS),
                config.get(CACHE_SIZE));
    }

    /** Whether the projection runs: at least one queue is tracked. */
    public boolean enabled() {
        return !queues.isEmpty();
    }

    /** This config with another application id. */
    public JobStatusConfig withApplicationId(String id) {
        return new JobStatusConfig(
                queues,
                id,
                advertisedHost,
                stateDir,
                historySize,
                retention,
                idleRetention,
                trackEnqueued,
                forwardTimeout,
                streamThreads,
                cacheSize);
    }

    /** This config with another advertised host and state directory (e.g. several replicas on one machine). */
    public JobStatusConfig withInstance(String host, Path dir) {
        return new JobStatusConfig(
                queues,
                applicationId,
                Optional.of(host),
                Optional.of(dir),
                historySize,
                retention,
                idleRetention,
                trackEnqueued,
                forwardTimeout,
                streamThreads,
                cacheSize);
    }

    /** This config with another retention after the terminal state and for unfinished jobs. */
    public JobStatusConfig withRetention(Duration afterTerminal, Duration idle) {
        return new JobStatusConfig(
                queues,
                applicationId,
                advertisedHost,
                stateDir,
                historySize,
                afterTerminal,
                idle,
                trackEnqueued,
                forwardTimeout,
                streamThreads,
                cacheSize);
    }

    /** This config with or without reading the queue topics for ENQUEUED. */
    public JobStatusConfig withTrackEnqueued(boolean track) {
        return new JobStatusConfig(
                queues,
                applicationId,
                advertisedHost,
                stateDir,
                historySize,
                retention,
                idleRetention,
                track,
                forwardTimeout,
                streamThreads,
                cacheSize);
    }

    /** This config with another number of stream threads and another record cache size. */
    public JobStatusConfig withStreams(int threads, long cacheBytes) {
        return new JobStatusConfig(
                queues,
                applicationId,
                advertisedHost,
                stateDir,
                historySize,
                retention,
                idleRetention,
                trackEnqueued,
                forwardTimeout,
                threads,
                cacheBytes);
    }

    private static <T> void check(ConfigKey<T> key, T value) {
        key.validator().problem(value).ifPresent(problem -> {
            throw new ConfigException(key.name() + " " + problem + ", got " + key.describe(value));
        });
    }
}
