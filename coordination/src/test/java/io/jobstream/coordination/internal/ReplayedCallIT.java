package io.jobstream.coordination.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.RedisServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A script call sent again unchanged (as Lettuce does after a reconnect) answers the same and applies nothing twice:
 * acquisitions are recognised by their holder or permit id, lock and claim releases by their tombstone, semaphore
 * releases by their request id.
 */
@JobstreamTest
class ReplayedCallIT {

    private static final Duration LEASE = Duration.ofSeconds(10);

    @Test
    void aReplayedLockAcquisitionAnswersTheSameGrantAndTakesNoSecondToken(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a lock granted to holder a
            String name = "replayed-" + UUID.randomUUID();
            Grant first = backend.lockAcquire(name, "holder-a", LEASE);
            assertThat(first.granted()).isTrue();

            // When the same call arrives again
            Grant replayed = backend.lockAcquire(name, "holder-a", LEASE);

            // Then it answers the same grant and drew no token: the fencing counter still stands at the first one
            assertThat(replayed).isEqualTo(first);
            assertThat(get(redis, Keys.lockFence(name))).isEqualTo(Long.toString(first.token()));

            // And another acquisition is refused
            assertThat(backend.lockAcquire(name, "holder-b", LEASE).granted()).isFalse();
        }
    }

    private static String get(RedisServer redis, String key) {
        io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(redis.uri());
        try (var connection = admin.connect()) {
            return connection.sync().get(key);
        } finally {
            admin.shutdown();
        }
    }

    @Test
    void aReplayedLockReleaseAnswersReleasedAgainAndFreesTheLockForOthers(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a lock released by its holder
            String name = "released-" + UUID.randomUUID();
            Grant grant = backend.lockAcquire(name, "holder-a", LEASE);
            assertThat(backend.lockRelease(name, "holder-a", grant.token())).isTrue();

            // When the release arrives again, Then it answers "released" again instead of "not yours"
            assertThat(backend.lockRelease(name, "holder-a", grant.token())).isTrue();
            // And a release that is not the holder's is still refused
            assertThat(backend.lockRelease(name, "holder-b", grant.token())).isFalse();

            // And the tombstone counts as free: it is neither held, renewable, nor in anyone's way
            assertThat(backend.lockHeld(name, "holder-a", grant.token())).isFalse();
            assertThat(backend.lockRenew(name, "holder-a", grant.token(), LEASE))
                    .isFalse();
            Grant next = backend.lockAcquire(name, "holder-b", LEASE);
            assertThat(next.granted()).isTrue();
            // And once another holder has it, the old holder's repeated release changes nothing
            assertThat(backend.lockRelease(name, "holder-a", grant.token())).isFalse();
            assertThat(backend.lockHeld(name, "holder-b", next.token())).isTrue();
        }
    }

    @Test
    void aReplayedPermitAcquisitionTakesOnePermitAndAReplayedReleaseAnswersTheSame(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a permit acquired, and the same call again
            String name = "permits-" + UUID.randomUUID();
            assertThat(backend.permitAcquire(name, 2, "permit-1", LEASE).granted())
                    .isTrue();
            assertThat(backend.permitAcquire(name, 2, "permit-1", LEASE).granted())
                    .isTrue();

            // Then one permit is held, not two
            assertThat(backend.permitsHeld(name)).isEqualTo(1);

            // When its release is sent twice with one request id, Then both answer "released"; a new request does not
            assertThat(backend.permitRelease(name, "permit-1", "request-1")).isTrue();
            assertThat(backend.permitRelease(name, "permit-1", "request-1")).isTrue();
            assertThat(backend.permitRelease(name, "permit-1", "request-2")).isFalse();
            assertThat(backend.permitsHeld(name)).isZero();
        }
    }

    @Test
    void aReplayedClaimAnswersTheSameAndAReleasedClaimCanBeClaimedAgain(RedisServer redis) {
        try (RedisBackend backend = RedisBackend.connect(CoordinationConfig.of(redis.uri()))) {
            // Given a job id claimed, and the same call again
            String jobId = "job-" + UUID.randomUUID();
            assertThat(backend.claim(jobId, "holder-a", LEASE).granted()).isTrue();
            assertThat(backend.claim(jobId, "holder-a", LEASE).granted()).isTrue();

            // Then another holder is kept out
            assertThat(backend.claim(jobId, "holder-b", LEASE).granted()).isFalse();

            // When the claim is released twice, Then both answer "released", and the id is free again
            assertThat(backend.claimRelease(jobId, "holder-a")).isTrue();
            assertThat(backend.claimRelease(jobId, "holder-a")).isTrue();
            assertThat(backend.claimHeld(jobId, "holder-a")).isFalse();
            assertThat(backend.claim(jobId, "holder-b", LEASE).granted()).isTrue();

            // And marking it done still works after the tombstone was replaced
            assertThat(backend.claimDone(jobId, "holder-b", LEASE)).isTrue();
            assertThat(backend.claim(jobId, "holder-c", LEASE).done()).isTrue();
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
            assertThat(backend.lockAcquire("flushed-" + UUID.randomUUID(), "h", LEASE)
                            .granted())
                    .isTrue();
        }
    }
}
