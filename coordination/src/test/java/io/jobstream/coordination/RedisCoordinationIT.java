package io.jobstream.coordination;

import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The contract on a real redis-server, through two separate Lettuce clients. */
@JobstreamTest
class RedisCoordinationIT extends CoordinationContract {

    private Coordination first;
    private Coordination second;

    @BeforeEach
    void connect(RedisServer redis) {
        first = Coordination.redis(CoordinationConfig.of(redis.uri()));
        second = Coordination.redis(CoordinationConfig.of(redis.uri()));
    }

    @AfterEach
    void disconnect() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    /** The acceptance run: 4 workers sharing 200/s for 10 s. */
    @Override
    protected Duration rateRun() {
        return Duration.ofSeconds(10);
    }

    @Override
    protected Coordination first() {
        return first;
    }

    @Override
    protected Coordination second() {
        return second;
    }
}
