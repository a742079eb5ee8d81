package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> closed = new CopyOnWriteArrayList<>();

    @AfterEach
    void releaseStuckComponents() {
        release.countDown();
    }

    @Test
    void closesComponentsInReverseRegistrationOrder() {
        // Given three components registered as they start
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(30), clock)
                .register("admin", () -> closed.add("admin"))
                .register("producer", () -> closed.add("producer"))
                .registerDrainable("consumer", share -> closed.add("consumer"));

        // When shut down
        ShutdownReport report = shutdown.shutdown();

        // Then the last started is the first closed, and all closed cleanly
        assertThat(closed).containsExactly("consumer", "producer", "admin");
        assertThat(report.order()).containsExactly("consumer", "producer", "admin");
        assertThat(report.clean()).isTrue();
    }

    @Test
    void isIdempotentAndReturnsTheSameReport() {
        // Given a component counting its closes
        AtomicInteger closes = new AtomicInteger();
        GracefulShutdown shutdown =
                GracefulShutdown.create(Duration.ofSeconds(30), clock).register("producer", closes::incrementAndGet);

        // When shut down three ways
        ShutdownReport first = shutdown.shutdown();
        ShutdownReport second = shutdown.shutdown();
        shutdown.close();

        // Then it ran once
        assertThat(closes).hasValue(1);
        assertThat(second).isSameAs(first);
        assertThat(shutdown.isShuttingDown()).isTrue();
    }

    @Test
    void concurrentCallersWaitForTheOneShutdown() {
        // Given a component that blocks until released
        CountDownLatch entered = new CountDownLatch(1);
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofMinutes(5), clock)
                .register("consumer", () -> {
                    entered.countDown();
                    release.await();
                });
        CompletableFuture<ShutdownReport> first = CompletableFuture.supplyAsync(shutdown::shutdown);
        await().until(() -> entered.getCount() == 0);

        // When a second caller asks while the first runs
        CompletableFuture<ShutdownReport> second = CompletableFuture.supplyAsync(shutdown::shutdown);

        // Then it waits, and both get the same report once the component finishes
        assertThat(second).isNotDone();
        release.countDown();
        await().until(second::isDone);
        assertThat(second.join()).isSameAs(first.join());
        assertThat(first.join().clean()).isTrue();
    }

    @Test
    void drainableIsToldWhatIsLeftOfTheBudget() {
        // Given a first step that uses 10s of a 30s budget, by the clock
        AtomicReference<Duration> share = new AtomicReference<>();
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(30), clock)
                .registerDrainable("second", share::set)
                .register("first", () -> clock.advance(Duration.ofSeconds(10)));

        // When shut down
        ShutdownReport report = shutdown.shutdown();

        // Then the next drainable gets the remaining 20s, and the first step's time is reported
        assertThat(share).hasValue(Duration.ofSeconds(20));
        assertThat(report.steps().get(0)).isEqualTo(new ShutdownStep.Closed("first", Duration.ofSeconds(10)));
        assertThat(report.took()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void componentExceedingItsShareIsAbandonedAndTheRestStillClose() {
        // Given a stuck component between two good ones, and a short budget
        CountDownLatch interrupted = new CountDownLatch(1);
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofMillis(300), Clock.systemUTC())
                .register("admin", () -> closed.add("admin"))
                .register("stuck", () -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                })
                .register("producer", () -> closed.add("producer"));

        // When shut down
        ShutdownReport report = shutdown.shutdown();

        // Then the stuck one is abandoned (and interrupted), the others are still closed
        assertThat(report.order()).containsExactly("producer", "stuck", "admin");
        assertThat(report.steps().get(1)).isInstanceOf(ShutdownStep.Abandoned.class);
        assertThat(report.clean()).isFalse();
        assertThat(closed).contains("producer");
        await().until(() -> interrupted.getCount() == 0);
    }

    @Test
    void budgetUsedUpByOneStepLeavesNoWaitForTheNext() {
        // Given a first step that uses the whole budget by the clock, and a second that never finishes
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(30), clock)
                .register("stuck", release::await)
                .register("slow", () -> clock.advance(Duration.ofSeconds(31)));

        // When shut down
        ShutdownReport report = shutdown.shutdown();

        // Then the second is not waited for: abandoned with a zero share
        assertThat(report.steps())
                .containsExactly(
                        new ShutdownStep.Closed("slow", Duration.ofSeconds(31)),
                        new ShutdownStep.Abandoned("stuck", Duration.ZERO));
    }

    @Test
    void failingComponentIsReportedAndTheNextStillCloses() {
        // Given a component that throws
        IllegalStateException failure = new IllegalStateException("flush failed");
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(30), clock)
                .register("admin", () -> closed.add("admin"))
                .register("producer", () -> {
                    throw failure;
                });

        // When shut down
        ShutdownReport report = shutdown.shutdown();

        // Then the failure is in the report and the admin server still closed
        assertThat(report.steps().get(0)).isEqualTo(new ShutdownStep.Failed("producer", failure));
        assertThat(closed).containsExactly("admin");
    }

    @Test
    void registeringAfterTheShutdownStartedIsRefused() {
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(1), clock);
        shutdown.shutdown();

        assertThatThrownBy(() -> shutdown.register("late", () -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("late");
    }

    @Test
    void installedHookIsRemovedByAnExplicitShutdown() {
        // Given a hook installed twice (idempotent)
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(1), clock)
                .installShutdownHook()
                .installShutdownHook();

        // When shut down explicitly
        shutdown.shutdown();

        // Then installing again does nothing and the JVM holds no hook of ours (the name is reusable)
        shutdown.installShutdownHook();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("jobstream-shutdown-hook") && t.isAlive());
    }

    @Test
    void negativeBudgetNamesTheKey() {
        assertThatThrownBy(() -> GracefulShutdown.create(Duration.ofSeconds(-1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.shutdown-timeout");
    }
}
