package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteGateTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anOpenGateRunsTheSendAndAClosedOneRunsNone() {
        // Given an open gate
        WriteGate gate = new WriteGate();
        AtomicInteger sends = new AtomicInteger();

        // When a send passes, the gate is closed, and another send tries
        String first = gate.pass(() -> "sent-" + sends.incrementAndGet());
        gate.close(Duration.ofSeconds(1));
        String second = gate.pass(() -> "sent-" + sends.incrementAndGet());

        // Then only the first ran
        assertThat(first).isEqualTo("sent-1");
        assertThat(second).isNull();
        assertThat(sends).hasValue(1);
        assertThat(gate.isClosed()).isTrue();
    }

    @Test
    void closingWaitsForASendAlreadyPassingAndNoSendStartsOnceItReturned() throws Exception {
        // Given a send inside the gate, blocked while handing its record over
        WriteGate gate = new WriteGate();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread sender = Thread.ofVirtual()
                .start(() -> gate.pass(() -> {
                    inside.countDown();
                    try {
                        return finish.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }));
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();

        // When the gate is closed (on another thread)
        Thread closer = Thread.ofVirtual().start(() -> gate.close(Duration.ofSeconds(20)));

        // Then closing waits for that send, and a new send is refused at once meanwhile
        await().atMost(WAIT)
                .until(() ->
                        closer.getState() == Thread.State.WAITING || closer.getState() == Thread.State.TIMED_WAITING);
        assertThat(gate.pass(() -> "late")).isNull();
        assertThat(closer.isAlive()).isTrue();
        finish.countDown();
        closer.join(WAIT.toMillis());
        sender.join(WAIT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(gate.pass(() -> "later")).isNull();
    }
}
