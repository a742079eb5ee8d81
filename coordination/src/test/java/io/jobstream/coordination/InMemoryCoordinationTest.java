package io.jobstream.coordination;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The contract on the in-memory store (both clients are the same instance). */
class InMemoryCoordinationTest extends CoordinationContract {

    private Coordination coordination;

    @BeforeEach
    void start() {
        coordination = Coordination.inMemory(Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        coordination.close();
    }

    @Override
    protected Coordination first() {
        return coordination;
    }

    @Override
    protected Coordination second() {
        return coordination;
    }

    @Override
    protected Duration contentionRun() {
        return Duration.ofSeconds(2);
    }
}
