package io.jobstream.dlq;

import io.jobstream.dlq.alert.AlertAggregator;
import io.jobstream.dlq.alert.AlertConfig;
import io.jobstream.dlq.alert.AlertSink;
import io.jobstream.dlq.alert.internal.DeadLetterFeed;
import io.jobstream.dlq.delay.internal.DelayForwarder;
import io.jobstream.dlq.internal.Backlog;
import io.jobstream.dlq.internal.RouterWatchdog;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.dlq.replay.DlqAdminRoutes;
import io.jobstream.dlq.retry.internal.RenamedGroupOffsets;
import io.jobstream.dlq.retry.internal.RouterMetrics;
import io.jobstream.dlq.retry.internal.RouterTopology;
import io.jobstream.dlq.retry.internal.TopicLimits;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dlq-service: for each configured queue, the failure router (a Kafka Streams application {@code
 * <queue>.dlq-router}, exactly-once v2; names in {@link Names}) and the delay forwarder (consumer group {@code
 * <queue>.delay-forwarder}, transactional).
 *
 * <pre>{@code
 * try (DlqService dlq = DlqService.builder(DlqServiceConfig.from(config), KafkaSettings.from(config))
 *         .registry(meterRegistry)
 *         .build()
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Threading: {@link #start()} and {@link #close(Duration)} may be called from any thread; each queue's router
 * runs on its Streams thread and its forwarder on a thread named {@code jobstream-delay-forwarder-<queue>}. Failure
 * contract: a router thread that throws (e.g. the schema registry is down) is replaced and resumes from its last
 * commit; a forwarder whose producer is fenced stops and {@link #isRunning()} turns false; a router that routes
 * nothing while failures wait for {@link DlqServiceConfig#routerStallTimeout()} is reported stalled by a watchdog
 * ({@link RouterWatchdog}, thread {@code jobstream-dlq-router-watchdog}) and {@link #isRunning()} turns false too.
 *
 * <p>A backlog reader (thread {@code jobstream-dlq-backlog}, no consumer group) keeps the gauges {@code
 * jobstream.dlq.size} (dead letters waiting per queue and type) and {@code jobstream.delay.waiting} (jobs per delay
 * tier not yet forwarded) current; it reads every {@code <queue>.dlq} and {@code <queue>.dlq.replayed} from the start.
 *
 * <p>With {@link Builder#alerts(AlertConfig)}, a dead-letter alert feed (thread {@code jobstream-dlq-alert-feed},
 * consumer group {@code jobstream-dlq-alerts}) reads the committed records of every {@code <queue>.dlq} into an
 * {@link AlertAggregator} whose sinks post on their own virtual threads; the router never waits for alerts. The same
 * sinks announce consumer-lag status changes when a {@link LagMonitor} is given {@link #lagAlerts()}.
 * {@link #adminRoutes()} gives the dead-letter list/replay routes ({@link DlqAdminRoutes}) to mount on an admin
 * server.
 */
public final class DlqService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DlqService.class);
    private static final Duration TOPIC_LIMITS_TIMEOUT = Duration.ofSeconds(10);

    /** How often the DLQ's log start offsets and the delay tiers' lag are read, unless set otherwise. */
    public static final Duration DEFAULT_BACKLOG_INTERVAL = Duration.ofSeconds(10);

    private final DlqServiceConfig config;
    private final KafkaSettings kafka;
    private final SerdeConfig serdes;
    private final MeterRegistry registry;
    private final Clock clock;
    private final RandomGenerator random;
    private final OpenTelemetry openTelemetry;
    private final List<KafkaStreams> routers = new ArrayList<>();
    private final List<KafkaMeters.Binding> routerMeters = new ArrayList<>();
    private final List<DelayForwarder> forwarders = new ArrayList<>();
    private final AlertConfig alerts;
    private final List<AlertSink> extraSinks;
    private final Duration backlogInterval;
    private final Duration watchdogInterval;
    private Backlog backlog;
    private RouterWatchdog watchdog;
    private volatile AlertAggregator aggregator;
    private HttpClient alertHttp;
    private DeadLetterFeed alertFeed;
    private boolean started;
    private boolean closed;

    private DlqService(Builder b) {
        this.config = b.config;
        this.kafka = b.kafka;
        this.serdes = b.serdes;
        this.registry = b.registry;
        this.clock = b.clock;
        this.random = b.random;
        this.openTelemetry = b.openTelemetry;
        this.alerts = b.alerts;
        this.extraSinks = List.copyOf(b.extraSinks);
        this.watchdogInterval = b.watchdogInterval;
        this.backlogInterval = b.backlogInterval;
    }

    /** A builder for a service with {@code config} talking to {@code kafka}. */
    public static Builder builder(DlqServiceConfig config, KafkaSettings kafka) {
        return new Builder(config, kafka);
    }

    /**
     * Starts every queue's router and forwarder.
     *
     * @throws IllegalStateException when already started or closed
     */
    public synchronized DlqService start() {
        if (started || closed) {
            throw new IllegalStateException("the dlq-service is already " + (closed ? "closed" : "started"));
        }
        started = true;
        try {
            startAll();
        } catch (RuntimeException e) {
            close(Duration.ofSeconds(10));
            throw e;
        }
        return this;
    }

    private void startAll() {
        carryOverRouterOffsets();
        Map<String, KafkaStreams> byQueue = new LinkedHashMap<>();
        for (String queue : config.queues()) {
            KafkaStreams streams = new KafkaStreams(
                    RouterTopology.build(
                            new RouterTopology.Settings(
                                    queue,
                                    Names.dlqRouter(queue),
                                    config.tiers(),
                                    config.retry(),
                                    config.historyLimit(),
                                    config.effectiveRoutedRetention(),
                                    serdes,
                                    clock,
                                    random,
                                    new RouterMetrics(registry, queue),
                                    openTelemetry),
                            topicLimits(queue)),
                    new StreamsConfig(streamsProperties(queue)));
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("failure router thread failed queue={}; replacing it", queue, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            routers.add(streams);
            byQueue.put(queue, streams);
            routerMeters.add(
                    KafkaMeters.bind(registry, scheduler -> new KafkaStreamsMetrics(streams, Tags.empty(), scheduler)));
        }
        // the watchdog's restore listeners must be set before the routers start
        Map<String, String> changelogs = new LinkedHashMap<>();
        byQueue.keySet().forEach(queue -> changelogs.put(queue, RouterTopology.changelogTopic(Names.dlqRouter(queue))));
        watchdog = new RouterWatchdog(
                byQueue,
                changelogs,
                kafka,
                registry,
                config.routerStallTimeout(),
                watchdogInterval != null ? watchdogInterval : RouterWatchdog.interval(config.routerStallTimeout()),
                clock);
        for (String queue : config.queues()) {
            KafkaStreams streams = byQueue.get(queue);
            streams.setGlobalStateRestoreListener(watchdog.restoreListener(queue));
            streams.start();
            forwarders.add(DelayForwarder.create(
                            queue,
                            config.tiers(),
                            kafka,
                            Names.delayForwarderGroup(queue),
                            clock,
                            registry,
                            config.maxPollWait(),
                            config.forwarderRetryBackoff(),
                            serdes)
                    .start());
            LOG.info(
                    "dlq-service started queue={} tiers={}",
                    queue,
                    config.tiers().names());
        }
        watchdog.start();
        Map<String, String> groups = new HashMap<>();
        config.queues().forEach(queue -> groups.put(queue, Names.delayForwarderGroup(queue)));
        backlog = new Backlog(config.queues(), config.tiers(), kafka, groups, registry, backlogInterval).start();
        if (alerts != null) {
            alertHttp = HttpClient.newHttpClient();
            List<AlertSink> sinks = new ArrayList<>(alerts.sinks(alertHttp, clock));
            sinks.addAll(extraSinks);
            aggregator = AlertAggregator.builder(alerts)
                    .sinks(sinks)
                    .clock(clock)
                    .registry(registry)
                    .build()
                    .start();
            alertFeed = new DeadLetterFeed(config.queues(), kafka, serdes, aggregator, registry).start();
            LOG.info(
                    "dead-letter alerts started sinks={} config={}",
                    sinks.stream().map(AlertSink::name).toList(),
                    alerts);
        }
    }

    /**
     * A {@link LagListener} alerting consumer-lag status changes through this service's alert sinks and outboxes
     * (rate limits, {@code Retry-After}, backoff), coalescing a flapping group's changes ({@link
     * AlertConfig#lagMinInterval()}): register it with {@link LagMonitor#addListener(LagListener)}. It ignores changes
     * while the service has no alerts ({@link Builder#alerts(AlertConfig)} unset), lag alerts are off ({@link
     * AlertConfig#lagAlerts()}), or the service is not started. Returns at once.
     */
    public LagListener lagAlerts() {
        return change -> {
            AlertAggregator alerting = aggregator;
            if (alerting != null) {
                alerting.onStatusChange(change);
            }
        };
    }

    /**
     * The dead-letter routes for the admin server, path → handler ({@link DlqAdminRoutes}: {@code GET
     * /v1/queues/{q}/dlq}, {@code GET /v1/queues/{q}/dlq/{partition}/{offset}}, {@code POST
     * /v1/queues/{q}/dlq:replay}); mount each with {@code AdminServer.route(path, handler)}. Usable before {@link
     * #start()}.
     */
    public List<Endpoint> adminRoutes() {
        return new DlqAdminRoutes(kafka, serdes, clock, openTelemetry).endpoints();
    }

    /**
     * Whether every router is running (or rebalancing) and routing (not stalled), and every forwarder's thread is
     * alive.
     */
    public boolean isRunning() {
        return problems().isEmpty();
    }

    /**
     * What keeps the service from running, one entry per component (e.g. {@code router emails is ERROR}); empty when
     * it runs.
     */
    public synchronized List<String> problems() {
        if (!started) {
            return List.of("not started");
        }
        if (closed) {
            return List.of("closed");
        }
        List<String> problems = new ArrayList<>();
        List<String> queues = config.queues();
        for (int i = 0; i < routers.size(); i++) {
            KafkaStreams.State state = routers.get(i).state();
            if (!state.isRunningOrRebalancing()) {
                problems.add("router " + queues.get(i) + " is " + state);
            }
        }
        for (int i = 0; i < forwarders.size(); i++) {
            DelayForwarder forwarder = forwarders.get(i);
            if (!forwarder.isRunning()) {
                Throwable failure = forwarder.failure();
                problems.add("delay forwarder " + queues.get(i) + " stopped"
                        + (failure == null
                                ? ""
                                : ": " + failure.getClass().getSimpleName() + ": " + failure.getMessage()));
            }
        }
        if (alertFeed != null && !alertFeed.isRunning()) {
            problems.add("dead-letter alert feed stopped");
        }
        if (watchdog != null) {
            problems.addAll(watchdog.problems());
        }
        return problems;
    }

    /** A {@code /ready} check named {@code dlq-service}: up while {@link #isRunning()}, else down with the problems. */
    public ReadinessCheck readinessCheck() {
        return ReadinessCheck.of("dlq-service", () -> {
            List<String> problems = problems();
            if (problems.isEmpty()) {
                return CheckResult.up();
            }
            // served without the exception text after "stopped: " (the probe needs no token); logged whole
            List<String> served = problems.stream()
                    .map(p -> p.contains(" stopped: ") ? p.substring(0, p.indexOf(" stopped: ") + 8) : p)
                    .toList();
            return CheckResult.down(
                    String.join("; ", served), served.equals(problems) ? "" : String.join("; ", problems));
        });
    }

    /**
     * Stops the forwarders, then the routers, within {@code timeout} in total. Idempotent.
     *
     * @return whether everything stopped within {@code timeout}
     */
    public synchronized boolean close(Duration timeout) {
        if (closed) {
            return true;
        }
        closed = true;
        Instant deadline = Instant.now().plus(timeout);
        boolean clean = true;
        if (watchdog != null) {
            clean &= watchdog.close(remaining(deadline));
        }
        if (backlog != null) {
            clean &= backlog.close(remaining(deadline));
        }
        if (alertFeed != null) {
            clean &= alertFeed.close(remaining(deadline));
        }
        AlertAggregator alerting = aggregator;
        aggregator = null; // lag changes from now on are dropped, not queued for stopped sinks
        if (alerting != null) {
            clean &= alerting.close(remaining(deadline));
        }
        if (alertHttp != null) {
            alertHttp.shutdownNow();
        }
        for (DelayForwarder forwarder : forwarders) {
            clean &= forwarder.close(remaining(deadline));
        }
        for (KafkaStreams streams : routers) {
            clean &= streams.close(CloseOptions.timeout(remaining(deadline)));
        }
        routerMeters.forEach(KafkaMeters.Binding::close);
        return clean;
    }

    /** {@link #close(Duration)} with 30 seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private static Duration remaining(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The size limits of the topics {@code queue}'s router writes whole records to: its delay tiers and its DLQ. */
    private TopicLimits topicLimits(String queue) {
        List<String> topics = new ArrayList<>(config.tiers().topics(queue));
        topics.add(Topics.dlq(queue));
        Admin admin = Admin.create(kafka.adminProperties());
        try {
            return TopicLimits.read(admin, topics, TOPIC_LIMITS_TIMEOUT);
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Each router's consumer group was {@code jobstream-dlq-router-<queue>} before the names followed one family: a
     * router starting under {@code <queue>.dlq-router} for the first time resumes where the old group had reached
     * instead of routing every failure in {@code <queue>.failed} again ({@link RenamedGroupOffsets}).
     */
    private void carryOverRouterOffsets() {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            for (String queue : config.queues()) {
                RenamedGroupOffsets.carryOver(
                        admin, Names.legacyDlqRouter(queue), Names.dlqRouter(queue), TOPIC_LIMITS_TIMEOUT);
            }
        }
    }

    private Map<String, Object> streamsProperties(String queue) {
        Map<String, Object> props = new HashMap<>(kafka.adminProperties());
        // the router writes failures' jobs back whole: as large as a topic takes (RecordLimits)
        props.put(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                RecordLimits.INTERNAL_MAX_REQUEST_SIZE);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, Names.dlqRouter(queue));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        config.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
        return props;
    }

    /** Builds a {@link DlqService}. */
    public static final class Builder {
        private final DlqServiceConfig config;
        private final KafkaSettings kafka;
        private SerdeConfig serdes = SerdeConfig.singleObject();
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = new Random();
        private OpenTelemetry openTelemetry = Tracing.global();
        private AlertConfig alerts;
        private final List<AlertSink> extraSinks = new ArrayList<>();
        private Duration backlogInterval = DEFAULT_BACKLOG_INTERVAL;
        private Duration watchdogInterval;

        private Builder(DlqServiceConfig config, KafkaSettings kafka) {
            this.config = Objects.requireNonNull(config, "config");
            this.kafka = Objects.requireNonNull(kafka, "kafka");
        }

        /** How records are written (default: Avro single-object encoding). */
        public Builder serdes(SerdeConfig serdes) {
            this.serdes = Objects.requireNonNull(serdes, "serdes");
            return this;
        }

        /** Where meters go (default: a private {@link SimpleMeterRegistry}). */
        public Builder registry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The time source (default: the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The jitter source; must be thread-safe (default: {@link Random}). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Traces each retry ({@code retry <queue>}) and dead letter ({@code dead-letter <queue>}) as a child of the
         * failed attempt's span, and each replay; {@link Tracing#global()} unless set, a no-op when no OpenTelemetry
         * SDK is installed.
         */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /**
         * Turns on dead-letter alerts: the sinks {@code alerts} names (Slack, webhook, log), fed by the committed
         * records of every served queue's {@code <queue>.dlq} (default: no alerts).
         */
        public Builder alerts(AlertConfig alerts) {
            this.alerts = Objects.requireNonNull(alerts, "alerts");
            return this;
        }

        /** Adds a sink to the ones {@link #alerts(AlertConfig)} names (alerts must be turned on too). */
        public Builder alertSink(AlertSink sink) {
            extraSinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /**
         * How often the gauges {@code jobstream.delay.waiting} are sampled and dead letters deleted by retention
         * leave {@code jobstream.dlq.size} (default {@link #DEFAULT_BACKLOG_INTERVAL}).
         */
        public Builder backlogInterval(Duration backlogInterval) {
            if (backlogInterval.isNegative() || backlogInterval.isZero()) {
                throw new IllegalArgumentException("backlogInterval must be positive: " + backlogInterval);
            }
            this.backlogInterval = backlogInterval;
            return this;
        }

        /**
         * How often the router watchdog reads the routers' groups (default: a sixth of {@link
         * DlqServiceConfig#routerStallTimeout()}, between 1 and 10 seconds).
         */
        public Builder watchdogInterval(Duration watchdogInterval) {
            if (watchdogInterval.isNegative() || watchdogInterval.isZero()) {
                throw new IllegalArgumentException("watchdogInterval must be positive: " + watchdogInterval);
            }
            this.watchdogInterval = watchdogInterval;
            return this;
        }

        /** The service, not yet started. */
        public DlqService build() {
            if (alerts == null && !extraSinks.isEmpty()) {
                throw new IllegalStateException("alert sinks were added but alerts(AlertConfig) was not set");
            }
            return new DlqService(this);
        }
    }
}
