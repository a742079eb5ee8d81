package io.jobstream.api;

import io.jobstream.api.internal.Admission;
import io.jobstream.api.internal.ApiMetrics;
import io.jobstream.api.internal.QueueRoutes;
import io.jobstream.api.internal.RateLimits;
import io.jobstream.api.internal.WebhookDeliveries;
import io.jobstream.api.internal.WebhookRoutes;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessChecks;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.Scope;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP ingest API: jobs and webhooks in, {@code 202} with a receipt only after Kafka acknowledged them. It serves
 * on the runtime's admin server, so one port ({@code jobstream.runtime.admin.port}) carries:
 *
 * <ul>
 *   <li>{@code POST /v1/queues/{queue}/jobs} — one job as JSON; {@code Idempotency-Key} fixes its id;
 *   <li>{@code POST /v1/queues/{queue}/jobs:batch} — {@code {"jobs": [...]}}, per-item results;
 *   <li>{@code POST /webhooks/{name}} — a signed webhook (GitHub, Stripe, generic HMAC-SHA256) as a job;
 *   <li>{@code GET /health}, {@code /ready} (the Kafka cluster answers), {@code /metrics} (Prometheus);
 *   <li>{@code GET /v1/jobs/{id}} and {@code .../events} when {@code jobstream.status.queues} names queues ({@link
 *       JobStatusProjection}).
 * </ul>
 *
 * <pre>{@code
 * Config config = ConfigLoader.forDefinition(IngestApi.DEFINITION).withFile(path).load();
 * try (IngestApi api = IngestApi.start(config)) {   // publisher + server, owned by the api
 *     System.out.println("listening on " + api.uri());
 *     ...                                         // until shutdown
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Requests run on the server's virtual threads, each waiting (at most {@code
 * jobstream.api.publish-timeout}) for its acknowledgement. Thread-safe. <b>Failure contract.</b> A job is answered
 * {@code 202} only once acknowledged; anything Kafka did not acknowledge in time is {@code 503} (it may still be
 * written: clients retry with the same {@code Idempotency-Key}). {@link #close()} stops admitting requests (later ones
 * get {@code 503}), waits for those in flight, then closes what it owns. Idempotency keys and rate limits are
 * remembered per process; webhook deliveries in the coordination store (Redis/Dragonfly when {@code
 * jobstream.coordination.redis-uri} is set, shared by every replica; this process's memory otherwise).
 *
 * <p><b>Tracing.</b> Each request is a {@code SERVER} span, a child of its {@code traceparent} header, current while
 * the job is published (so the publisher's {@code send} span, and the job's {@code traceParent}, continue it); the
 * {@code OpenTelemetry} is {@link io.jobstream.runtime.Tracing#global()} unless given to {@link #mount(IngestApiConfig,
 * JobPublisher, AdminServer, Coordination, io.opentelemetry.api.OpenTelemetry)}.
 */
public final class IngestApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestApi.class);

    /** Every key {@link #start(Config)} reads: runtime, Kafka, publisher, API and job-status settings. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.combine(
            RuntimeConfig.DEFINITION,
            KafkaSettings.DEFINITION,
            PublisherConfig.DEFINITION,
            IngestApiConfig.DEFINITION,
            JobStatusConfig.DEFINITION,
            CoordinationConfig.DEFINITION);

    private final IngestApiConfig config;
    private final AdminServer server;
    private final Admission admission;
    private final List<AutoCloseable> owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    private IngestApi(IngestApiConfig config, AdminServer server, Admission admission, List<AutoCloseable> owned) {
        this.config = config;
        this.server = server;
        this.admission = admission;
        this.owned = owned;
    }

    /**
     * Starts everything {@code jobstream api} runs from one loaded config (definition {@link #DEFINITION}): a
     * {@link JobPublisher}, the admin server on {@code jobstream.runtime.admin.*} with the Kafka readiness check, and
     * the API's routes. The returned api owns and closes both.
     */
    public static IngestApi start(Config config) {
        return start(
                IngestApiConfig.from(config),
                PublisherConfig.from(config),
                KafkaSettings.from(config),
                RuntimeConfig.from(config),
                HttpConfig.from(config),
                JobStatusConfig.from(config),
                CoordinationConfig.from(config));
    }

    /**
     * {@link #start(IngestApiConfig, PublisherConfig, KafkaSettings, RuntimeConfig, HttpConfig)}, plus the {@link
     * JobStatusProjection} ({@code GET /v1/jobs/{id}}) on the same server when {@code status} tracks a queue; the api
     * owns it and closes it first.
     */
    public static IngestApi start(
            IngestApiConfig api,
            PublisherConfig publisherConfig,
            KafkaSettings kafka,
            RuntimeConfig runtime,
            HttpConfig http,
            JobStatusConfig status) {
        return start(api, publisherConfig, kafka, runtime, http, status, Optional.empty());
    }

    /**
     * As {@link #start(IngestApiConfig, PublisherConfig, KafkaSettings, RuntimeConfig, HttpConfig, JobStatusConfig)},
     * remembering
     * webhook deliveries in the Redis/Dragonfly of {@code coordination} when present (shared by every replica), in
     * this process otherwise.
     */
    public static IngestApi start(
            IngestApiConfig api,
            PublisherConfig publisherConfig,
            KafkaSettings kafka,
            RuntimeConfig runtime,
            HttpConfig http,
            JobStatusConfig status,
            Optional<CoordinationConfig> coordination) {
        IngestApi started = start(api, publisherConfig, kafka, runtime, http, coordination);
        if (status.enabled()) {
            try {
                started.owned.addFirst(
                        JobStatusProjection.start(status, publisherConfig.serde(), kafka, started.server));
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
        }
        return started;
    }

    /** {@link #start(Config)} from settings already read; {@code http} holds the tokens and their scopes. */
    public static IngestApi start(
            IngestApiConfig api,
            PublisherConfig publisherConfig,
            KafkaSettings kafka,
            RuntimeConfig runtime,
            HttpConfig http) {
        return start(api, publisherConfig, kafka, runtime, http, Optional.empty());
    }

    private static IngestApi start(
            IngestApiConfig api,
            PublisherConfig publisherConfig,
            KafkaSettings kafka,
            RuntimeConfig runtime,
            HttpConfig http,
            Optional<CoordinationConfig> coordinationConfig) {
        Objects.requireNonNull(api, "api");
        AdminServer server = AdminServer.builder()
                .config(runtime)
                .http(http)
                .readinessCheck(ReadinessChecks.kafka(kafka.adminProperties()))
                .start();
        JobPublisher publisher;
        try {
            publisher = JobPublisher.create(publisherConfig, kafka, server.registry());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        Coordination coordination = null;
        try {
            coordination = coordination(coordinationConfig);
            // Closed in this order: the publisher waits for jobs in flight, then the server stops.
            return mount(
                    api,
                    publisher,
                    server,
                    coordination,
                    Clock.systemUTC(),
                    List.of(publisher, server, coordination),
                    Tracing.global());
        } catch (RuntimeException e) {
            publisher.close(Duration.ZERO);
            server.close();
            if (coordination != null) {
                coordination.close();
            }
            throw e;
        }
    }

    /**
     * Mounts the API's routes on a server you own, publishing with a publisher you own; {@link #close()} then only
     * stops the routes (they answer {@code 503}). Request metrics go to the server's registry.
     */
    public static IngestApi mount(IngestApiConfig config, JobPublisher publisher, AdminServer server) {
        Coordination memory = Coordination.inMemory(Clock.systemUTC());
        return mount(config, publisher, server, memory, Clock.systemUTC(), List.of(memory), Tracing.global());
    }

    /**
     * As {@link #mount(IngestApiConfig, JobPublisher, AdminServer)}, remembering webhook deliveries in {@code
     * coordination} (you own it): give every replica the same Redis/Dragonfly so a delivery is enqueued once.
     */
    public static IngestApi mount(
            IngestApiConfig config, JobPublisher publisher, AdminServer server, Coordination coordination) {
        return mount(config, publisher, server, coordination, Tracing.global());
    }

    /**
     * As {@link #mount(IngestApiConfig, JobPublisher, AdminServer, Coordination)}, tracing each request as a {@code
     * SERVER} span of {@code openTelemetry}, a child of its {@code traceparent} header (give the publisher the same
     * instance, so its {@code send} spans join the request's trace).
     */
    public static IngestApi mount(
            IngestApiConfig config,
            JobPublisher publisher,
            AdminServer server,
            Coordination coordination,
            OpenTelemetry openTelemetry) {
        return mount(config, publisher, server, coordination, Clock.systemUTC(), List.of(), openTelemetry);
    }

    /** The coordination store {@code config} names, or this process's memory when none is configured. */
    public static Coordination coordination(Optional<CoordinationConfig> config) {
        return config.map(Coordination::redis).orElseGet(() -> Coordination.inMemory(Clock.systemUTC()));
    }

    static IngestApi mount(
            IngestApiConfig config,
            JobPublisher publisher,
            AdminServer server,
            Coordination coordination,
            Clock clock,
            List<AutoCloseable> owned,
            OpenTelemetry openTelemetry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(server, "server");
        ApiMetrics metrics = new ApiMetrics(server.registry());
        Admission admission = new Admission(openTelemetry);
        HttpConfig http = server.http();
        if (http.authRequired()
                && http.tokens().stream()
                        .noneMatch(t ->
                                t.scopes().contains(Scope.PUBLISH) || t.scopes().contains(Scope.ADMIN))) {
            throw new ConfigException(HttpConfig.TOKENS.name() + " must hold at least one token with scope publish ("
                    + HttpConfig.TOKENS.name() + ".<name>.token, .scopes and .queues) while "
                    + HttpConfig.AUTH_REQUIRED.name() + " is true");
        }
        RateLimits rateLimits = new RateLimits(config.rateLimit(), config.rateLimitBurst(), System::nanoTime);
        new QueueRoutes(config, publisher, metrics, admission, rateLimits, clock)
                .endpoints()
                .forEach(server::route);
        WebhookDeliveries deliveries = new WebhookDeliveries(coordination.idempotencyGuard());
        new WebhookRoutes(config, publisher, deliveries, metrics, admission, clock)
                .endpoints()
                .forEach(server::route);
        LOG.info(
                "api listening port={} tokens={} webhooks={} auth_required={} webhook_deliveries={}",
                server.port(),
                http.tokens().size(),
                config.webhooks().size(),
                http.authRequired(),
                coordination.location());
        return new IngestApi(config, server, admission, new ArrayList<>(owned));
    }

    /** The settings the API runs with. */
    public IngestApiConfig config() {
        return config;
    }

    /** The port the API (and {@code /health}, {@code /ready}, {@code /metrics}) serves on. */
    public int port() {
        return server.port();
    }

    /** {@code http://<host>:<port>} of the server ({@code localhost} when bound to every interface). */
    public URI uri() {
        var address = server.address();
        String host = address.getAddress().isAnyLocalAddress()
                ? "localhost"
                : address.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    /** The server the API is mounted on. */
    public AdminServer server() {
        return server;
    }

    /**
     * Stops admitting requests, waits up to {@code jobstream.api.publish-timeout} for those in flight, then closes
     * what this api owns (its publisher, then its server). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Duration wait = config.publishTimeout();
        try {
            if (!admission.closeAndAwait(wait)) {
                LOG.warn("api outcome=requests_still_in_flight waited_ms={}", wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeException failure = null;
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the ingest API failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        LOG.info("api stopped port={}", server.port());
        if (failure != null) {
            throw failure;
        }
    }
}
