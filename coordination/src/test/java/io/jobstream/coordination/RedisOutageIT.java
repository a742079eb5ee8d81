package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis killed and restarted under the primitives: they fail closed with a clear error and recover. */
class RedisOutageIT {

    private RedisServer redis;
    private Coordination coordination;
    private Coordination failingOpen;

    @BeforeEach
    void start() {
        redis = RedisServer.builder().name("coordination-outage").build().start();
        CoordinationConfig config = CoordinationConfig.builder(redis.uri())
                .commandTimeout(Duration.ofSeconds(1))
                .build();
        coordination = Coordination.redis(config);
        failingOpen = Coordination.redis(config.toBuilder()
                .rateLimiterFailureMode(RateLimiterFailureMode.FAIL_OPEN)
                .build());
    }

    @AfterEach
    void stop() {
        if (failingOpen != null) {
            failingOpen.close();
        }
        if (coordination != null) {
            coordination.close();
        }
        redis.close();
    }

    @Test
    void failsClosedNamingTheServerWhileRedisIsDownAndRecoversAfterItsRestart() {
        // Given a held lock (3 s lease renewed by the watchdog) and a token granted before the outage
        Lock held = coordination
                .locks()
                .tryAcquire("outage", Duration.ofSeconds(3), Duration.ZERO)
                .orElseThrow();
        long tokenBefore = held.fencingToken();
        RateLimiter closedLimiter = coordination.rateLimiter("outage", 1000, 10);
        RateLimiter openLimiter = failingOpen.rateLimiter("outage", 1000, 10);
        Semaphore semaphore = coordination.semaphore("outage", 3);

        // When Redis is killed
        redis.kill();

        // Then locks, semaphores, the guard and the fail-closed rate limiter throw a retriable error naming the server
        assertUnavailable(() -> coordination.locks().tryAcquire("other", Duration.ofSeconds(5), Duration.ZERO));
        assertUnavailable(() -> coordination.locks().tryAcquire("other", Duration.ofSeconds(5), Duration.ofSeconds(1)));
        assertUnavailable(() -> semaphore.acquire(Duration.ZERO));
        assertUnavailable(() -> coordination.idempotencyGuard().claim("job-1", Duration.ofSeconds(5)));
        assertUnavailable(closedLimiter::tryAcquire);
        assertUnavailable(held::validate);
        // And the fail-open rate limiter grants, saying so
        assertThat(openLimiter.tryAcquire()).isEqualTo(new RateDecision.Granted(true));
        // And the held lock is given up once renewals failed for a whole lease
        await().atMost(Duration.ofSeconds(10))
                .until(() -> held.whenLost().toCompletableFuture().isDone());
        assertThat(held.isHeld()).isFalse();
        // And a new client cannot even connect
        assertUnavailable(() -> Coordination.redis(CoordinationConfig.of(redis.uri())));

        // When Redis is back (empty: no persistence)
        redis.restart();

        // Then every primitive works again, and fencing tokens still increase across the data loss
        List<Lock> after = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .ignoreException(CoordinationUnavailableException.class)
                .until(() -> coordination
                        .locks()
                        .tryAcquire("outage", Duration.ofSeconds(5), Duration.ZERO)
                        .map(after::add)
                        .orElse(false));
        assertThat(after.getFirst().fencingToken()).isGreaterThan(tokenBefore);
        assertThat(after.getFirst().release()).isTrue();
        try (Permit permit = semaphore.acquire(Duration.ZERO).orElseThrow()) {
            assertThat(permit.validate()).isTrue();
        }
        assertThat(coordination.idempotencyGuard().claim("job-1", Duration.ofSeconds(5)))
                .isInstanceOf(Claim.Acquired.class);
        assertThat(closedLimiter.tryAcquire()).isEqualTo(new RateDecision.Granted(false));
        await().atMost(Duration.ofSeconds(20))
                .ignoreException(CoordinationUnavailableException.class)
                .until(() -> openLimiter.tryAcquire().equals(new RateDecision.Granted(false)));
    }

    @Test
    void aLeaderWhoseRenewalsFailLosesLeadershipAndRegainsItAfterRedisReturns() {
        // Given a leader with a 1 s lease
        CoordinationContract.RecordingListener events = new CoordinationContract.RecordingListener();
        try (LeaderElection election = coordination.leaderElection("outage-leader", Duration.ofSeconds(1), events)) {
            await().atMost(Duration.ofSeconds(10)).until(election::isLeader);

            // When Redis is killed, Then leadership is revoked once renewals failed for a whole lease
            redis.kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.events.contains("revoked"));
            assertThat(election.isLeader()).isFalse();

            // When Redis is back, Then the candidate leads again, in a new term
            redis.restart();
            await().atMost(Duration.ofSeconds(20)).until(election::isLeader);
            assertThat(events.events).hasSize(3).last().asString().startsWith("granted:");
        }
    }

    private void assertUnavailable(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(CoordinationUnavailableException.class, e -> {
                    assertThat(e.isRetriable()).isTrue();
                    assertThat(e.location()).isEqualTo(redis.uri());
                })
                .hasMessageContaining("coordination store " + redis.uri() + " unavailable");
    }
}
