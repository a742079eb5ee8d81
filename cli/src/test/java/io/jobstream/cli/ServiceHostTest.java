package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.RuntimeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceHostTest {
    private static final RuntimeConfig RUNTIME =
            new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));

    @Test
    void aWatchedComponentThatStopsShutsTheHostDownWithExitStatus1NamingIt() throws Exception {
        // Given a host with a registered component and a watched one that runs
        ServiceHost host = ServiceHost.start(RUNTIME);
        AtomicBoolean closed = new AtomicBoolean();
        host.register("component", () -> closed.set(true));
        AtomicReference<Optional<String>> fault = new AtomicReference<>(Optional.empty());
        host.watch("forwarder", fault::get);

        // When the watched component stops for good
        fault.set(Optional.of("ProducerFencedException: fenced"));

        // Then the host shuts itself down, closing what was registered
        await().atMost(Duration.ofSeconds(20)).until(closed::get);
        host.awaitShutdown();
        // and the exit status is 1, with one line naming the component and why
        StringWriter err = new StringWriter();
        assertThat(host.exitStatus(new PrintWriter(err))).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("jobstream: forwarder stopped: ProducerFencedException: fenced" + System.lineSeparator());
    }

    @Test
    void componentsStoppingDuringARequestedShutdownAreNoFailure() throws Exception {
        // Given a watched component that reports itself stopped once it was closed
        ServiceHost host = ServiceHost.start(RUNTIME);
        AtomicBoolean closed = new AtomicBoolean();
        host.register("service", () -> closed.set(true));
        host.watch("service", () -> closed.get() ? Optional.of("closed") : Optional.empty());

        // When the process is asked to stop
        host.shutdownNow();
        host.awaitShutdown();

        // Then the exit status is 0 and nothing is reported
        StringWriter err = new StringWriter();
        assertThat(host.exitStatus(new PrintWriter(err))).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(host.failure()).isEmpty();
    }
}
