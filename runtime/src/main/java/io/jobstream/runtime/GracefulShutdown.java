package io.jobstream.runtime;

import io.jobstream.runtime.internal.Failures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shuts a service down in order within a bounded time. Components are registered as they start
 * ({@link #register} for {@link AutoCloseable}s, {@link #registerDrainable} for {@link Drainable}s)
 * and shut down in reverse order, like nested try-with-resources: register the admin server first so
 * {@code /health} answers until the end, the consumer loop last so it drains first.
 *
 * <p>The whole shutdown has one budget ({@code jobstream.runtime.shutdown-timeout}, default 30s),
 * measured with the injected {@link Clock}. Each component runs on a thread of its own
 * ({@code jobstream-shutdown-<name>}) and may use what is left of the budget; a {@link Drainable} is
 * told that share. A component still running when its share is used up is logged, interrupted and
 * abandoned, and the next one starts, so one stuck component never hangs the process. Components
 * after the budget ran out are still started (so quick closes happen) but not waited for. A
 * component that throws is logged and the next one starts.
 *
 * <p>Triggered by {@link #shutdown()} or, once {@link #installShutdownHook()} is called, by JVM
 * shutdown (SIGTERM, SIGINT, {@code System.exit}). Idempotent and thread-safe: the first call runs
 * the shutdown, every other call (concurrent or later) waits for it and returns the same report.
 * Each step is logged as one {@code key=value} line.
 */
public final class GracefulShutdown implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private record Component(String name, Drainable drainable) {}

    private final Duration timeout;
    private final Clock clock;
    private final List<Component> components = new ArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> report = new CompletableFuture<>();
    private Thread hook;

    private GracefulShutdown(Duration timeout, Clock clock) {
        Objects.requireNonNull(timeout, RuntimeConfig.SHUTDOWN_TIMEOUT.name());
        if (timeout.isNegative()) {
            throw new ConfigException(RuntimeConfig.SHUTDOWN_TIMEOUT.name() + " must not be negative: " + timeout);
        }
        this.timeout = timeout;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A shutdown with budget {@code timeout}, timed by the system clock. */
    public static GracefulShutdown create(Duration timeout) {
        return new GracefulShutdown(timeout, Clock.systemUTC());
    }

    /** A shutdown with budget {@code timeout}, timed by {@code clock}. */
    public static GracefulShutdown create(Duration timeout, Clock clock) {
        return new GracefulShutdown(timeout, clock);
    }

    /** A shutdown with the budget {@code jobstream.runtime.shutdown-timeout} of {@code config}. */
    public static GracefulShutdown create(RuntimeConfig config) {
        return create(config.shutdownTimeout());
    }

    /**
     * Registers a component closed with {@link AutoCloseable#close()}.
     *
     * @throws IllegalStateException when the shutdown has started
     */
    public GracefulShutdown register(String name, AutoCloseable component) {
        Objects.requireNonNull(component, "component");
        return add(name, share -> component.close());
    }

    /**
     * Registers a component drained with {@link Drainable#drain(Duration)}.
     *
     * @throws IllegalStateException when the shutdown has started
     */
    public GracefulShutdown registerDrainable(String name, Drainable component) {
        Objects.requireNonNull(component, "component");
        return add(name, component);
    }

    private synchronized GracefulShutdown add(String name, Drainable drainable) {
        Objects.requireNonNull(name, "name");
        if (started.get()) {
            throw new IllegalStateException("cannot register " + name + ": the shutdown has started");
        }
        components.add(new Component(name, drainable));
        return this;
    }

    /** Runs {@link #shutdown()} when the JVM shuts down (SIGTERM). Idempotent. */
    public synchronized GracefulShutdown installShutdownHook() {
        if (hook == null && !started.get()) {
            hook = Thread.ofPlatform().name("jobstream-shutdown-hook").unstarted(() -> shutdown("jvm_shutdown"));
            Runtime.getRuntime().addShutdownHook(hook);
        }
        return this;
    }

    /** True once a shutdown has begun. */
    public boolean isShuttingDown() {
        return started.get();
    }

    /**
     * Shuts every component down in reverse registration order within the budget; returns when
     * done. Later calls return the first call's report.
     */
    public ShutdownReport shutdown() {
        return shutdown("explicit");
    }

    /** Same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }

    private ShutdownReport shutdown(String trigger) {
        if (!started.compareAndSet(false, true)) {
            return report.join();
        }
        try {
            if (!trigger.equals("jvm_shutdown")) {
                removeHook();
            }
            report.complete(run(trigger));
        } catch (RuntimeException | Error e) {
            report.completeExceptionally(e);
            throw e;
        }
        return report.join();
    }

    private ShutdownReport run(String trigger) {
        List<Component> order;
        synchronized (this) {
            order = new ArrayList<>(components).reversed();
        }
        Instant start = clock.instant();
        Instant deadline = start.plus(timeout);
        LOG.info("shutdown started trigger={} components={} budget_ms={}", trigger, order.size(), timeout.toMillis());
        List<ShutdownStep> steps = new ArrayList<>();
        boolean interrupted = false;
        for (Component component : order) {
            Duration share = interrupted ? Duration.ZERO : positive(Duration.between(clock.instant(), deadline));
            StepRun run = runStep(component, share);
            interrupted |= run.interrupted();
            steps.add(run.step());
            log(run.step());
        }
        Duration took = Duration.between(start, clock.instant());
        ShutdownReport result = new ShutdownReport(steps, took);
        LOG.info("shutdown finished clean={} components={} took_ms={}", result.clean(), steps.size(), took.toMillis());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private record StepRun(ShutdownStep step, boolean interrupted) {}

    private StepRun runStep(Component component, Duration share) {
        Instant stepStart = clock.instant();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform()
                .daemon()
                .name("jobstream-shutdown-" + component.name())
                .start(() -> {
                    try {
                        component.drainable().drain(share);
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                });
        try {
            done.get(share.toNanos(), TimeUnit.NANOSECONDS);
            return new StepRun(
                    new ShutdownStep.Closed(component.name(), Duration.between(stepStart, clock.instant())), false);
        } catch (ExecutionException e) {
            return new StepRun(new ShutdownStep.Failed(component.name(), e.getCause()), false);
        } catch (TimeoutException e) {
            worker.interrupt();
            return new StepRun(new ShutdownStep.Abandoned(component.name(), share), false);
        } catch (InterruptedException e) {
            worker.interrupt();
            return new StepRun(new ShutdownStep.Abandoned(component.name(), share), true);
        }
    }

    private static void log(ShutdownStep step) {
        switch (step) {
            case ShutdownStep.Closed closed ->
                LOG.info(
                        "shutdown step={} outcome=closed took_ms={}",
                        closed.name(),
                        closed.took().toMillis());
            case ShutdownStep.Failed failed ->
                LOG.warn(
                        "shutdown step={} outcome=failed error=\"{}\"",
                        failed.name(),
                        Failures.describe(failed.error()),
                        failed.error());
            case ShutdownStep.Abandoned abandoned ->
                LOG.warn(
                        "shutdown step={} outcome=abandoned share_ms={} reason=still_running_when_its_share_ran_out",
                        abandoned.name(),
                        abandoned.share().toMillis());
        }
    }

    private synchronized void removeHook() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The JVM is exiting; the hook will find the shutdown done.
            }
            hook = null;
        }
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
