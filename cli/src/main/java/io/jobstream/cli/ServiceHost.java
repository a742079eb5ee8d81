package io.jobstream.cli;

import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.Drainable;
import io.jobstream.runtime.GracefulShutdown;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.HttpConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every long-running {@code jobstream} service process has: a Prometheus registry, the admin HTTP server
 * ({@code /health}, {@code /ready}, {@code /metrics}) and a bounded graceful shutdown on SIGTERM/SIGINT that closes the
 * registered components in reverse order.
 *
 * <p>A process that cannot work says so: every {@link #watch watched} component (a worker's poll loop, the
 * dlq-service's routers and forwarders) is asked twice a second whether it has stopped for good. The first that has
 * turns {@code /health} and {@code /ready} to 503 naming it, and the process shuts down; the command then exits with 1
 * ({@link #exitStatus(PrintWriter)}) so an orchestrator restarts it.
 */
public final class ServiceHost {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHost.class);
    private static final long WATCH_PERIOD_MILLIS = 500;

    /** A component that stopped for good, and why. */
    public record Failure(String component, String reason) {}

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GracefulShutdown shutdown;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AdminServer admin;
    private final Map<String, Supplier<Optional<String>>> watched = new ConcurrentHashMap<>();
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final Runnable onFailure;
    private final ScheduledExecutorService watchdog;

    private ServiceHost(RuntimeConfig runtime, HttpConfig http, Runnable onFailure) {
        this.onFailure = onFailure != null ? onFailure : this::shutdownInBackground;
        shutdown = GracefulShutdown.create(runtime);
        shutdown.register("stopped", stopped::countDown);
        shutdown.installShutdownHook();
        admin = AdminServer.builder()
                .config(runtime)
                .http(http)
                .registry(registry)
                .start();
        shutdown.register("admin-server", admin);
        admin.livenessCheck(ReadinessCheck.of("components", this::componentsCheck));
        admin.readinessCheck(ReadinessCheck.of("components", this::componentsCheck));
        watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jobstream-watchdog").daemon().factory());
        shutdown.register("watchdog", watchdog::shutdownNow);
        watchdog.scheduleWithFixedDelay(
                this::checkWatched, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the admin server on {@code runtime}'s host and port and installs the shutdown hook; a watched component
     * that fails shuts the process down.
     */
    public static ServiceHost start(RuntimeConfig runtime) {
        return new ServiceHost(runtime, HttpConfig.defaults(), null);
    }

    /**
     * As {@link #start(RuntimeConfig)}, the admin server guarding its token routes with {@code http} (the tokens of
     * {@code jobstream.runtime.http.*}); for roles that serve routes beyond the probes.
     */
    public static ServiceHost start(RuntimeConfig runtime, HttpConfig http) {
        return new ServiceHost(runtime, Objects.requireNonNull(http, "http"), null);
    }

    /**
     * As {@link #start(RuntimeConfig)}, running {@code onFailure} instead of the shutdown when a watched component
     * fails (tests use it to look at {@code /health} before the process goes).
     */
    public static ServiceHost start(RuntimeConfig runtime, Runnable onFailure) {
        return new ServiceHost(runtime, HttpConfig.defaults(), Objects.requireNonNull(onFailure, "onFailure"));
    }

    /**
     * Watches {@code component}: {@code fault} answers, from memory and at once, why it has stopped for good, or empty
     * while it runs (or may recover by itself). Call once the component has started.
     */
    public ServiceHost watch(String component, Supplier<Optional<String>> fault) {
        watched.put(Objects.requireNonNull(component, "component"), Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /** The watched component that stopped for good (the first one), if one did. */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * The exit code of a service command once {@link #awaitShutdown()} returned: 0 after a requested shutdown, 1 after
     * a component failed (then one line naming it and why goes to {@code err}).
     */
    public int exitStatus(PrintWriter err) {
        Failure failed = failure.get();
        if (failed == null) {
            return 0;
        }
        err.println("jobstream: " + failed.component() + " stopped: " + failed.reason());
        err.flush();
        return 1;
    }

    private CheckResult componentsCheck() {
        Failure failed = failure.get();
        return failed == null
                ? CheckResult.up()
                // served: what stopped, up to the first ": " (the cause after it may be an exception's text, and the
                // probes need no token); logged and printed whole
                : CheckResult.down(
                        failed.component() + " stopped: " + failed.reason().split(": ", 2)[0], failed.reason());
    }

    private void checkWatched() {
        if (shutdown.isShuttingDown() || failure.get() != null) {
            return; // components stopping on request are not failures
        }
        for (Map.Entry<String, Supplier<Optional<String>>> entry : watched.entrySet()) {
            Optional<String> fault;
            try {
                fault = entry.getValue().get();
            } catch (RuntimeException e) {
                fault = Optional.of(e.toString());
            }
            if (fault.isPresent() && !shutdown.isShuttingDown()) {
                fail(entry.getKey(), fault.get());
                return;
            }
        }
    }

    private void fail(String component, String reason) {
        if (!failure.compareAndSet(null, new Failure(component, reason))) {
            return;
        }
        LOG.error(
                "component_failed component={} reason=\"{}\"; /health and /ready answer 503, shutting down to exit with 1",
                component,
                reason);
        onFailure.run();
    }

    private void shutdownInBackground() {
        Thread.ofPlatform().name("jobstream-failure-shutdown").start(shutdown::shutdown);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public AdminServer admin() {
        return admin;
    }

    /** The admin server's base URL (loopback when it listens on every interface). */
    public String adminUrl() {
        java.net.InetAddress address = admin.address().getAddress();
        String host;
        if (address == null || address.isAnyLocalAddress()) {
            host = "127.0.0.1";
        } else if (address instanceof java.net.Inet6Address) {
            host = "[" + address.getHostAddress() + "]";
        } else {
            host = address.getHostAddress();
        }
        return "http://" + host + ":" + admin.port();
    }

    /** Adds a readiness check to {@code /ready}. */
    public ServiceHost readiness(ReadinessCheck check) {
        admin.readinessCheck(check);
        return this;
    }

    /** Closes {@code component} on shutdown (components close in reverse registration order). */
    public ServiceHost register(String name, AutoCloseable component) {
        shutdown.register(name, component);
        return this;
    }

    /** Drains {@code component} within its share of the shutdown budget. */
    public ServiceHost registerDrainable(String name, Drainable component) {
        shutdown.registerDrainable(name, component);
        return this;
    }

    /** Blocks until the process is asked to stop and everything registered has been closed. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Stops everything now (e.g. after a start-up failure). */
    public void shutdownNow() {
        shutdown.shutdown();
    }
}
