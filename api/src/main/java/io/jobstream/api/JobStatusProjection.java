package io.jobstream.api;

import io.jobstream.api.internal.ApiMetrics;
import io.jobstream.api.internal.Publishing;
import io.jobstream.api.internal.status.StatusKeys;
import io.jobstream.api.internal.status.StatusMetrics;
import io.jobstream.api.internal.status.StatusRoutes;
import io.jobstream.api.internal.status.StatusTopology;
import io.jobstream.api.internal.status.StoredStatus;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-status projection: a Kafka Streams application inside the API process that folds every job's lifecycle
 * events ({@code <queue>.events}, plus ENQUEUED read from the queue topics) into a store by queue and job id (job ids
 * are per queue), and serves {@code GET /v1/jobs/{id}} and {@code GET /v1/jobs/{id}/events} from it on the API's
 * server, each caller seeing only the queues its token may read.
 *
 * <pre>{@code
 * JobStatusConfig status = JobStatusConfig.from(config);      // jobstream.status.*
 * try (JobStatusProjection projection = JobStatusProjection.start(status, apiConfig, serdes, kafka, server)) {
 *     switch (projection.lookup(jobId)) {
 *         case JobStatusLookup.Found f -> System.out.println(f.status().state());
 *         default -> ...
 *     }
 * }
 * }</pre>
 *
 * <p><b>Replicas.</b> Every API replica runs the projection under one application id; Kafka Streams splits the
 * store's partitions among them. Each replica advertises {@code <jobstream.status.advertised-host>:<its port>} as
 * {@code application.server}; a request for a job another replica owns is forwarded there and its answer relayed
 * ({@link #lookup(String)} answers {@link JobStatusLookup.Elsewhere}). {@code /ready} is down until the projection is
 * {@code RUNNING}; lookups answer {@link JobStatusLookup.Unavailable} (HTTP {@code 503}) until then and while it
 * rebalances.
 *
 * <p><b>Threading.</b> Thread-safe; the projection runs on one Kafka Streams thread. <b>Failure contract.</b>
 * {@link #start} fails with {@link IllegalStateException} when a tracked queue's topics do not exist, naming them;
 * an undecodable or out-of-order event is counted ({@code jobstream.status.events}) and logged, never fatal; a
 * stream thread that dies of anything else is replaced.
 */
public final class JobStatusProjection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobStatusProjection.class);
    private static final Duration PURGE_INTERVAL = Duration.ofSeconds(10);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);

    private final JobStatusConfig config;
    private final KafkaStreams streams;
    private final HostInfo self;
    private final StatusRoutes routes;
    private final KafkaMeters.Binding kafkaMeters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JobStatusProjection(
            JobStatusConfig config,
            KafkaStreams streams,
            HostInfo self,
            StatusRoutes routes,
            KafkaMeters.Binding kafkaMeters) {
        this.config = config;
        this.streams = streams;
        this.self = self;
        this.routes = routes;
        this.kafkaMeters = kafkaMeters;
    }

    /**
     * Starts the projection and mounts its routes and its {@code job-status} readiness check on {@code server}
     * (request metrics go to the server's registry, the projection's to the same). The server's tokens guard them: with
     * {@code jobstream.runtime.http.auth-required}, a request needs a token with {@code status:read} for the job's
     * queue, and a job of another queue is answered 404 as an unknown one.
     *
     * @throws IllegalArgumentException when {@code config} tracks no queue
     * @throws IllegalStateException when a tracked queue's topics are missing or the brokers do not answer
     */
    public static JobStatusProjection start(
            JobStatusConfig config, SerdeConfig serdes, KafkaSettings kafka, AdminServer server) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(serdes, "serdes");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(server, "server");
        if (!config.enabled()) {
            throw new IllegalArgumentException(JobStatusConfig.QUEUES.name() + " names no queue to track");
        }
        Map<String, Integer> partitions = eventPartitions(config, kafka);
        StatusTopology.Settings settings = new StatusTopology.Settings(
                config.queues(),
                partitions,
                config.trackEnqueued(),
                new StoredStatus.Limits(config.historySize(), config.retention(), config.idleRetention()),
                PURGE_INTERVAL,
                serdes,
                new StatusMetrics(server.registry()));
        HostInfo self = new HostInfo(advertisedHost(config, server), server.port());
        KafkaStreams streams = new KafkaStreams(
                StatusTopology.build(settings), new StreamsConfig(streamsProperties(config, kafka, self)));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("job-status projection thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        String address = self.host() + ":" + self.port();
        JobStatusProjection[] holder = new JobStatusProjection[1];
        StatusRoutes routes = new StatusRoutes(
                (id, readable) -> holder[0].lookup(id, readable),
                config.forwardTimeout(),
                new ApiMetrics(server.registry()),
                address);
        // Kafka Streams' own metrics (and its clients') beside the projection's, removed on close
        KafkaMeters.Binding kafkaMeters = KafkaMeters.bind(
                server.registry(), scheduler -> new KafkaStreamsMetrics(streams, Tags.empty(), scheduler));
        JobStatusProjection projection = new JobStatusProjection(config, streams, self, routes, kafkaMeters);
        holder[0] = projection;
        try {
            routes.endpoints().forEach(server::route);
            server.readinessCheck(projection.readinessCheck());
            streams.start();
        } catch (RuntimeException e) {
            projection.close(Duration.ZERO);
            throw e;
        }
        LOG.info(
                "job-status projection started application_id={} advertised={} queues={} partitions={}"
                        + " track_enqueued={}",
                config.applicationId(),
                address,
                config.queues(),
                settings.partitions(),
                config.trackEnqueued());
        return projection;
    }

    /** {@link #lookup(String, Predicate)} over every tracked queue. */
    public JobStatusLookup lookup(String id) {
        return lookup(id, queue -> true);
    }

    /**
     * What this replica answers for job {@code id} in the tracked queues {@code readable} accepts (job ids are per
     * queue): its status or not found when this replica owns the job's partition, the queues holding it when there
     * are several, the owner when another replica owns it, or unavailable while the store is not queryable. A job in
     * a queue {@code readable} refuses is not found: the caller learns nothing of other queues.
     */
    public JobStatusLookup lookup(String id, Predicate<String> readable) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(readable, "readable");
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return new JobStatusLookup.Unavailable(
                    "the job-status store is " + state + ", not yet queryable; try" + " again shortly");
        }
        List<String> queues = config.queues().stream().filter(readable).toList();
        if (queues.isEmpty()) {
            return new JobStatusLookup.NotFound(id);
        }
        KeyQueryMetadata owner;
        try {
            owner = streams.queryMetadataForKey(
                    StatusTopology.STATUS_STORE, StatusKeys.of(queues.getFirst(), id), StatusKeys.BY_JOB_ID);
        } catch (RuntimeException e) {
            LOG.warn("job status store not queryable detail=\"{}\"", Publishing.encoded(e.toString()));
            return new JobStatusLookup.Unavailable("the job-status store is not queryable; try again shortly");
        }
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new JobStatusLookup.Unavailable("no replica owns the job's partition yet (rebalancing)");
        }
        HostInfo active = owner.activeHost();
        if (!active.equals(self)) {
            return new JobStatusLookup.Elsewhere(active.host(), active.port());
        }
        try {
            ReadOnlyKeyValueStore<String, StoredStatus> store = streams.store(StoreQueryParameters.fromNameAndType(
                            StatusTopology.STATUS_STORE, QueryableStoreTypes.<String, StoredStatus>keyValueStore())
                    .withPartition(owner.partition()));
            List<StoredStatus> found = new ArrayList<>(1);
            for (String queue : queues) {
                StoredStatus status = store.get(StatusKeys.of(queue, id));
                if (status != null) {
                    found.add(status);
                }
            }
            return switch (found.size()) {
                case 0 -> new JobStatusLookup.NotFound(id);
                case 1 -> new JobStatusLookup.Found(found.getFirst().view());
                default ->
                    new JobStatusLookup.Ambiguous(
                            id, found.stream().map(s -> s.view().queue()).toList());
            };
        } catch (InvalidStateStoreException e) {
            return new JobStatusLookup.Unavailable(
                    "the job's store partition is moving or restoring; try again shortly");
        } catch (RuntimeException e) {
            LOG.warn("job status lookup failed id=\"{}\"", Publishing.encoded(id), e);
            return new JobStatusLookup.Unavailable("the job-status store could not be read; try again shortly");
        }
    }

    /** The Kafka Streams state ({@code RUNNING} once queryable). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** This replica's advertised {@code host:port} ({@code application.server}). */
    public String advertisedAddress() {
        return self.host() + ":" + self.port();
    }

    /** The settings it runs with. */
    public JobStatusConfig config() {
        return config;
    }

    /**
     * The Kafka Streams metrics (consumer lag {@code records-lag-max}, process rates), for measuring the projection.
     */
    public Map<String, Double> streamsMetrics(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        streams.metrics().forEach((metricName, metric) -> {
            if (metricName.name().equals(name) && metric.metricValue() instanceof Number n) {
                out.put(metricName.group() + "/" + metricName.tags(), n.doubleValue());
            }
        });
        return out;
    }

    /** A {@code /ready} check named {@code job-status}: up while the projection is {@code RUNNING}. */
    public ReadinessCheck readinessCheck() {
        return ReadinessCheck.of("job-status", () -> {
            KafkaStreams.State state = streams.state();
            return state == KafkaStreams.State.RUNNING
                    ? CheckResult.up()
                    : CheckResult.down("job-status projection is " + state);
        });
    }

    /** Stops serving (the routes answer {@code 503}) and closes Kafka Streams within {@code timeout}. Idempotent. */
    public boolean close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        routes.close();
        boolean clean = streams.close(CloseOptions.timeout(timeout));
        kafkaMeters.close();
        LOG.info("job-status projection stopped clean={}", clean);
        return clean;
    }

    /** {@link #close(Duration)} with 30 seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private static Map<String, Integer> eventPartitions(JobStatusConfig config, KafkaSettings kafka) {
        List<String> topics = new ArrayList<>();
        for (String queue : config.queues()) {
            topics.add(Topics.events(queue));
            if (config.trackEnqueued()) {
                topics.add(queue);
            }
        }
        Map<String, TopicDescription> described = new HashMap<>();
        List<String> missing = new ArrayList<>();
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            var result = admin.describeTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    described.put(topic, result.get(topic).get(DESCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(topic);
                    } else {
                        throw new IllegalStateException(
                                "cannot describe " + topic + " at " + kafka.bootstrapServers() + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not describe "
                            + topic + " within " + DESCRIBE_TIMEOUT.toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the job-status topics", e);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the job-status projection cannot start: topic(s) " + missing
                    + " do not exist; create each queue's topics (jobstream topics create --queue Q) or remove the"
                    + " queue from " + JobStatusConfig.QUEUES.name());
        }
        Map<String, Integer> partitions = new LinkedHashMap<>();
        for (String queue : config.queues()) {
            partitions.put(
                    queue, described.get(Topics.events(queue)).partitions().size());
        }
        return partitions;
    }

    private static String advertisedHost(JobStatusConfig config, AdminServer server) {
        if (config.advertisedHost().isPresent()) {
            return config.advertisedHost().get();
        }
        InetAddress bound = server.address().getAddress();
        if (!bound.isAnyLocalAddress()) {
            return bound.getHostAddress();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            LOG.warn(
                    "cannot resolve this host's address; advertising localhost (set {})",
                    JobStatusConfig.ADVERTISED_HOST.name());
            return "localhost";
        }
    }

    private static Map<String, Object> streamsProperties(JobStatusConfig config, KafkaSettings kafka, HostInfo self) {
        Map<String, Object> props = new HashMap<>(kafka.adminProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // committed data only: an aborted transaction (a replay, a forwarded retry) must not change a job's status
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, config.cacheSize());
        config.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
        return props;
    }
}
