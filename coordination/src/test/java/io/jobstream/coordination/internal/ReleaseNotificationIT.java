package io.jobstream.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Waiters are woken by the release notification itself (pub/sub), not only by their bounded polling. */
@JobstreamTest
class ReleaseNotificationIT {

    @Test
    void aReleaseWakesAWatcherOfAnotherClient(RedisServer redis) throws Exception {
        try (RedisBackend holderSide = RedisBackend.connect(CoordinationConfig.of(redis.uri()));
                RedisBackend waiterSide = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a held lock and a watcher on another client, waiting far longer than the test may take
            String name = "notified-" + UUID.randomUUID();
            Grant grant = holderSide.lockAcquire(name, "holder", Duration.ofSeconds(60));
            assertThat(grant.granted()).isTrue();
            try (Backend.ReleaseWatch watch = waiterSide.watch(Keys.lockReleased(name))) {
                Thread waiter = Thread.ofVirtual().start(() -> {
                    try {
                        watch.await(Duration.ofMinutes(10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                await().during(Duration.ofMillis(300))
                        .atMost(Duration.ofSeconds(5))
                        .until(waiter::isAlive);

                // When the holder releases
                assertThat(holderSide.lockRelease(name, "holder", grant.token()))
                        .isTrue();

                // Then the watcher wakes up
                await().atMost(Duration.ofSeconds(10)).until(() -> !waiter.isAlive());
            }
        }
    }
}
