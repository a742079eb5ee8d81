package io.jobstream.runtime;

import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.internal.AdminRoutes;
import io.jobstream.runtime.internal.Readiness;
import io.jobstream.runtime.internal.RoutingHttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint every Jobstream process serves:
 *
 * <ul>
 *   <li>{@code GET /health} — liveness: {@code 200 {"status":"UP"}} while the process serves and every liveness
 *       check ({@link #livenessCheck}, e.g. "the worker's poll loop runs") is up; {@code 503} listing the checks,
 *       as {@code /ready} does, once one is down;
 *   <li>{@code GET /ready} — readiness: runs every {@link ReadinessCheck} concurrently, each within
 *       its timeout; {@code 200} when all are up, else {@code 503}; the JSON body lists each check
 *       with its status and, when down, its reason;
 *   <li>{@code GET /metrics} — the {@link PrometheusMeterRegistry} in Prometheus text format 0.0.4,
 *       or OpenMetrics when {@code Accept} asks for {@code application/openmetrics-text};
 *   <li>any {@link Endpoint} a later module adds with {@link #route(Endpoint)}: the API's, the dead-letter routes.
 * </ul>
 *
 * <p>Every route goes through the one HTTP seam ({@code io.jobstream.runtime.http}): bearer tokens with scopes from
 * {@link HttpConfig}, header and body limits, the one problem body. Probes and metrics are open; a state-changing
 * route needs a token or a signature, and with {@code jobstream.runtime.http.auth-required} false it may share this
 * port only on a loopback address (the server refuses to mount it otherwise). The default host {@code 0.0.0.0}
 * exposes the port on every interface: keep it inside the cluster (see {@code deploy/k8s/base/network-policy.yaml}).
 *
 * <p>Requests are handled on virtual threads. JVM and process metrics (memory, GC, threads,
 * processor, uptime) are bound to the registry at start. {@link #close()} is idempotent; register
 * the server first with {@link GracefulShutdown} so it closes last and {@code /health} answers while
 * the rest drains.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private final RoutingHttpServer server;
    private final HttpConfig http;
    private final ExecutorService checkExecutor;
    private final PrometheusMeterRegistry registry;
    private final boolean ownsRegistry;
    private final JvmGcMetrics gcMetrics;
    private final Duration checkTimeout;
    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
    private final List<ReadinessCheck> livenessChecks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(Builder b) throws IOException {
        this.ownsRegistry = b.registry == null;
        this.registry = ownsRegistry ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : b.registry;
        this.checkTimeout = b.checkTimeout;
        this.http = b.http;
        this.checks.addAll(b.checks);
        this.checkExecutor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("jobstream-ready-check-", 0).factory());
        this.gcMetrics = b.bindJvmMetrics ? new JvmGcMetrics() : null;
        if (b.bindJvmMetrics) {
            new JvmMemoryMetrics().bindTo(registry);
            gcMetrics.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }
        try {
            this.server = new RoutingHttpServer(new InetSocketAddress(b.host, b.port), b.http, System::nanoTime);
        } catch (IOException e) {
            releaseResources();
            throw e;
        }
        try {
            server.add(Endpoint.get("/health").open().to(AdminRoutes.health(this::checkLiveness)));
            server.add(Endpoint.get("/ready").open().to(AdminRoutes.ready(this::checkReadiness)));
            server.add(Endpoint.get("/metrics").open().to(AdminRoutes.metrics(registry)));
            b.routes.forEach(this::route);
            server.start();
        } catch (RuntimeException e) {
            server.close();
            releaseResources();
            throw e;
        }
        LOG.info(
                "admin listening host={} port={} checks={} auth_required={} tokens={}",
                b.host,
                port(),
                checks.size(),
                b.http.authRequired(),
                b.http.tokens().size());
    }

    /**
     * A builder: host {@code 0.0.0.0}, port 9400, check timeout 2s, its own registry, JVM metrics bound, the seam's
     * defaults ({@link HttpConfig#defaults()}: auth on, no token, so token-guarded routes answer 401).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server with host, port and check timeout from {@code config}. */
    public static AdminServer start(RuntimeConfig config, PrometheusMeterRegistry registry) {
        return builder().config(config).registry(registry).start();
    }

    /** The port the server is bound to (the chosen one when started with port 0). */
    public int port() {
        return server.address().getPort();
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The seam's settings: tokens, auth, limits. */
    public HttpConfig http() {
        return http;
    }

    /** The registry {@code /metrics} renders; register the process's meters here. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Serves {@code endpoint} through the seam. Its route runs on a virtual thread; if it throws anything but an {@link
     * io.jobstream.runtime.http.HttpProblem}, the client gets a generic 500.
     *
     * @throws IllegalArgumentException when its method and path are taken, or it changes state and is open
     * @throws ConfigException when it changes state while auth is off and the server is reachable from other hosts
     */
    public AdminServer route(Endpoint endpoint) {
        server.add(endpoint);
        return this;
    }

    /** Adds a readiness check; it is closed with the server. */
    public AdminServer readinessCheck(ReadinessCheck check) {
        checks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Adds a liveness check: {@code /health} answers 503 while it is down. Only for checks that say the process cannot
     * work any more (a dead poll loop), answered from memory: an orchestrator restarts a process whose {@code /health}
     * fails. It is closed with the server.
     */
    public AdminServer livenessCheck(ReadinessCheck check) {
        livenessChecks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Runs every liveness check now, as {@code /health} does, in registration order.
     *
     * @throws InterruptedException when interrupted while waiting for the checks
     */
    public Map<String, CheckResult> checkLiveness() throws InterruptedException {
        return Readiness.run(List.copyOf(livenessChecks), checkTimeout, checkExecutor);
    }

    /**
     * Runs every readiness check now, as {@code /ready} does, in registration order.
     *
     * @throws InterruptedException when interrupted while waiting for the checks
     */
    public Map<String, CheckResult> checkReadiness() throws InterruptedException {
        return Readiness.run(List.copyOf(checks), checkTimeout, checkExecutor);
    }

    /** Stops serving, closes the checks (and the registry if the server made it). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close();
        releaseResources();
        LOG.info("admin stopped port={}", server.address().getPort());
    }

    private void releaseResources() {
        checkExecutor.shutdownNow();
        List<ReadinessCheck> all = new ArrayList<>(checks);
        all.addAll(livenessChecks);
        for (ReadinessCheck check : all) {
            try {
                check.close();
            } catch (Exception e) {
                LOG.warn("admin check={} outcome=close_failed error=\"{}\"", check.name(), e.toString());
            }
        }
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        if (ownsRegistry) {
            registry.close();
        }
    }

    /** Builds and starts an {@link AdminServer}. */
    public static final class Builder {
        private String host = RuntimeConfig.ADMIN_HOST.defaultValue().orElseThrow();
        private int port = RuntimeConfig.ADMIN_PORT.defaultValue().orElseThrow();
        private Duration checkTimeout =
                RuntimeConfig.CHECK_TIMEOUT.defaultValue().orElseThrow();
        private PrometheusMeterRegistry registry;
        private boolean bindJvmMetrics = true;
        private HttpConfig http = HttpConfig.defaults();
        private final List<ReadinessCheck> checks = new ArrayList<>();
        private final List<Endpoint> routes = new ArrayList<>();

        private Builder() {}

        /** Host, port and check timeout from the runtime config. */
        public Builder config(RuntimeConfig config) {
            return host(config.adminHost()).port(config.adminPort()).checkTimeout(config.checkTimeout());
        }

        /** The interface to bind to. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, RuntimeConfig.ADMIN_HOST.name());
            return this;
        }

        /** The port; 0 picks a free one (read it back with {@link AdminServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new ConfigException("invalid value '" + port + "' for " + RuntimeConfig.ADMIN_PORT.name()
                        + ": must be from 0 to 65535");
            }
            this.port = port;
            return this;
        }

        /** The timeout of checks that do not set their own. */
        public Builder checkTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigException(RuntimeConfig.CHECK_TIMEOUT.name() + " must be positive");
            }
            this.checkTimeout = timeout;
            return this;
        }

        /** The registry to serve; without one the server makes (and closes) its own. */
        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Whether to bind JVM and process metrics to the registry (default true). */
        public Builder bindJvmMetrics(boolean bind) {
            this.bindJvmMetrics = bind;
            return this;
        }

        /** A readiness check. */
        public Builder readinessCheck(ReadinessCheck check) {
            checks.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        /** An extra route (see {@link AdminServer#route}). */
        public Builder route(Endpoint endpoint) {
            routes.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** The seam's settings: tokens, auth, limits ({@code jobstream.runtime.http.*}). */
        public Builder http(HttpConfig http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws UncheckedIOException when the address cannot be bound, naming it and the port key
         */
        public AdminServer start() {
            try {
                return new AdminServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot bind the admin endpoint to " + host + ":" + port + " ("
                                + RuntimeConfig.ADMIN_HOST.name() + ", " + RuntimeConfig.ADMIN_PORT.name() + "): "
                                + e.getMessage(),
                        e);
            }
        }
    }
}
