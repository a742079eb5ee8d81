package io.jobstream.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A script call replayed with the same request id (as Lettuce does after a reconnect) is not applied twice. */
@JobstreamTest
class RequestIdReplayIT {

    @Test
    void aReplayedAcquisitionAnswersTheSameAndGrantsNoSecondToken(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a lock acquisition with a request id
            String name = "replayed-" + UUID.randomUUID();
            Grant first = backend.lockAcquire(name, "holder-a", Duration.ofSeconds(10), "request-1");
            assertThat(first.granted()).isTrue();

            // When the same request arrives again
            Grant replayed = backend.lockAcquire(name, "holder-a", Duration.ofSeconds(10), "request-1");

            // Then it answers the same grant, and a genuinely new request is refused: nothing was applied twice
            assertThat(replayed).isEqualTo(first);
            assertThat(backend.lockAcquire(name, "holder-a", Duration.ofSeconds(10), "request-2")
                            .granted())
                    .isFalse();

            // And a replayed release answers the same "released" instead of "not yours"
            assertThat(backend.lockRelease(name, "holder-a", first.token(), "request-3"))
                    .isTrue();
            assertThat(backend.lockRelease(name, "holder-a", first.token(), "request-3"))
                    .isTrue();
            assertThat(backend.lockRelease(name, "holder-a", first.token(), "request-4"))
                    .isFalse();
        }
    }

    @Test
    void scriptsRunAfterTheServerForgotThem(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a server whose script cache was flushed
            io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(redis.uri());
            try (var connection = admin.connect()) {
                connection.sync().scriptFlush();
            } finally {
                admin.shutdown();
            }

            // When a script is run, Then it falls back to EVAL and works
            assertThat(backend.lockAcquire("flushed-" + UUID.randomUUID(), "h", Duration.ofSeconds(5))
                            .granted())
                    .isTrue();
        }
    }
}
