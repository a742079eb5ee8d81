package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.time.Duration;
import java.util.Map;
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
        assertThat(config.toBuilder().cluster(true).build().cluster()).isTrue();
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void rejectsAUriThatIsNotRedisNamingTheKey() {
        assertThatThrownBy(() -> CoordinationConfig.of("http://127.0.0.1:6379"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CoordinationConfig.REDIS_URI);
    }

    @Test
    void rejectsDurationsOutsideTheKeysRangeNamingTheKey() {
        CoordinationConfig.Builder builder = CoordinationConfig.builder("redis://127.0.0.1:6379");

        assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CoordinationConfig.COMMAND_TIMEOUT);
        assertThatThrownBy(() -> CoordinationConfig.builder("redis://127.0.0.1:6379")
                        .waitPollInterval(Duration.ofMillis(-1))
                        .build())
                .hasMessageContaining(CoordinationConfig.WAIT_POLL_INTERVAL);
        assertThatThrownBy(() -> CoordinationConfig.builder("redis://127.0.0.1:6379")
                        .lease(Duration.ofMillis(5))
                        .build())
                .hasMessageContaining(CoordinationConfig.LEASE)
                .hasMessageContaining("30ms");
    }

    @Test
    void requiresRequestIdsToOutliveTheCommandTimeout() {
        CoordinationConfig config = CoordinationConfig.of("redis://127.0.0.1:6379");

        assertThatThrownBy(() -> config.toBuilder()
                        .requestIdRetention(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(ConfigException.class)
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

    @Test
    void readsEveryKeyFromAConfigFile() {
        // Given a config file with every coordination key
        Config config = ConfigLoader.forDefinition(CoordinationConfig.DEFINITION)
                .withYaml("""
                        jobstream:
                          coordination:
                            redis-uri: redis://app:secret@redis:6379/2
                            command-timeout: 500ms
                            wait-poll-interval: 100ms
                            lease: 10s
                            rate-limiter-failure-mode: fail-open
                            request-id-retention: 1m
                            cluster: true
                        """)
                .withEnvironment(Map.of())
                .load();

        // When it is read
        CoordinationConfig coordination = CoordinationConfig.from(config).orElseThrow();

        // Then every value is taken
        assertThat(coordination)
                .isEqualTo(new CoordinationConfig(
                        "redis://app:secret@redis:6379/2",
                        Duration.ofMillis(500),
                        Duration.ofMillis(100),
                        Duration.ofSeconds(10),
                        RateLimiterFailureMode.FAIL_OPEN,
                        Duration.ofMinutes(1),
                        true));
    }

    @Test
    void isEmptyWithoutARedisUriAndDefaultsMatchTheRecord() {
        Config config = ConfigLoader.forDefinition(CoordinationConfig.DEFINITION)
                .withEnvironment(Map.of())
                .load();

        assertThat(CoordinationConfig.from(config)).isEmpty();
        assertThat(CoordinationConfig.COMMAND_TIMEOUT_KEY.defaultValue()).contains(Duration.ofSeconds(2));
        assertThat(CoordinationConfig.REDIS_URI_KEY.envVar()).isEqualTo("JOBSTREAM_COORDINATION_REDIS_URI");
    }

    @Test
    void rejectsBadValuesAtLoadNamingTheKey() {
        ConfigLoader loader = ConfigLoader.forDefinition(CoordinationConfig.DEFINITION)
                .withEnvironment(Map.of(
                        "JOBSTREAM_COORDINATION_REDIS_URI", "http://redis:6379",
                        "JOBSTREAM_COORDINATION_COMMAND_TIMEOUT", "0s"));

        assertThatThrownBy(loader::load)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CoordinationConfig.REDIS_URI)
                .hasMessageContaining(CoordinationConfig.COMMAND_TIMEOUT);
    }

    @Test
    void rejectsARequestIdRetentionNotLongerThanTheCommandTimeoutFromAConfig() {
        Config config = ConfigLoader.forDefinition(CoordinationConfig.DEFINITION)
                .withEnvironment(Map.of(
                        "JOBSTREAM_COORDINATION_REDIS_URI", "redis://redis:6379",
                        "JOBSTREAM_COORDINATION_COMMAND_TIMEOUT", "5s",
                        "JOBSTREAM_COORDINATION_REQUEST_ID_RETENTION", "5s"))
                .load();

        assertThatThrownBy(() -> CoordinationConfig.from(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CoordinationConfig.REQUEST_ID_RETENTION);
    }
}
