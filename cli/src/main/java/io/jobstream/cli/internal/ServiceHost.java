package io.jobstream.cli.internal;

import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.Drainable;
import io.jobstream.runtime.GracefulShutdown;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.runtime.RuntimeConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.CountDownLatch;

/**
 * What every long-running {@code jobstream} service process has: a Prometheus registry, the admin HTTP server
 * ({@code /health}, {@code /ready}, {@code /metrics}) and a bounded graceful shutdown on SIGTERM/SIGINT that closes the
 * registered components in reverse order.
 */
public final class ServiceHost {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GracefulShutdown shutdown;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AdminServer admin;

    private ServiceHost(RuntimeConfig runtime) {
        shutdown = GracefulShutdown.create(runtime);
        shutdown.register("stopped", stopped::countDown);
        shutdown.installShutdownHook();
        admin = AdminServer.builder().config(runtime).registry(registry).start();
        shutdown.register("admin-server", admin);
    }

    /** Starts the admin server on {@code runtime}'s host and port and installs the shutdown hook. */
    public static ServiceHost start(RuntimeConfig runtime) {
        return new ServiceHost(runtime);
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
