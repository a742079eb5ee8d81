package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoordinationConfigTest {

    @Test
    void defaultsAreNamedAndFailClosed() {
        CoordinationConfig config = CoordinationConfig.of("redis://127.0.0.1:6379");

        assertThat(config.commandTimeout()).isEqualTo(CoordinationConfig.DEFAULT_COMMAND_TIMEOUT);
        assertThat(config.waitPollInterval()).isEqualTo(CoordinationConfig.DEFAULT_WAIT_POLL_INTERVAL);
        assertThat(config.lease()).isEqualTo(CoordinationConfig.DEFAULT_LEASE);
        assertThat(config.requestIdRetention()).isEqualTo(CoordinationConfig.DEFAULT_REQUEST_ID_RETENTION);
        assertThat(config.rateLimiterFailureMode()).isEqualTo(RateLimiterFailureMode.FAIL_CLOSED);
        assertThat(config.cluster()).isFalse();
        assertThat(config.withCluster(true).cluster()).isTrue();
    }

    @Test
    void rejectsAUriThatIsNotRedisNamingTheKey() {
        assertThatThrownBy(() -> CoordinationConfig.of("http://127.0.0.1:6379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CoordinationConfig.REDIS_URI);
    }

    @Test
    void rejectsNonPositiveDurationsNamingTheKey() {
        CoordinationConfig config = CoordinationConfig.of("redis://127.0.0.1:6379");

        assertThatThrownBy(() -> config.withCommandTimeout(Duration.ZERO))
                .hasMessageContaining(CoordinationConfig.COMMAND_TIMEOUT);
        assertThatThrownBy(() -> config.withWaitPollInterval(Duration.ofMillis(-1)))
                .hasMessageContaining(CoordinationConfig.WAIT_POLL_INTERVAL);
        assertThatThrownBy(() -> config.withLease(Duration.ofMillis(5))).hasMessageContaining(CoordinationConfig.LEASE);
    }

    @Test
    void requiresRequestIdsToOutliveTheCommandTimeout() {
        CoordinationConfig config = CoordinationConfig.of("redis://127.0.0.1:6379");

        assertThatThrownBy(() -> config.withRequestIdRetention(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CoordinationConfig.REQUEST_ID_RETENTION)
                .hasMessageContaining(CoordinationConfig.COMMAND_TIMEOUT);
    }

    @Test
    void rejectsNamesThatWouldBreakTheHashTag() {
        try (Coordination coordination = Coordination.inMemory(java.time.Clock.systemUTC())) {
            assertThatThrownBy(() -> coordination.locks().tryAcquire("a}b", Duration.ofSeconds(1), Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lock name");
            assertThatThrownBy(() -> coordination.semaphore("pool", 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("permits");
            assertThatThrownBy(() -> coordination.rateLimiter("smtp", 0, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("permitsPerSecond");
        }
    }
}
