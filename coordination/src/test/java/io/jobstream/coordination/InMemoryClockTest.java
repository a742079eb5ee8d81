package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory store's leases and rates follow the clock it is given. */
class InMemoryClockTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Coordination coordination = Coordination.inMemory(clock);

    @AfterEach
    void close() {
        coordination.close();
    }

    @Test
    void aLockIsFreeOnceItsLeaseHasPassedOnTheClock() {
        // Given a lock held without renewal for 30 s
        Lock first = coordination
                .locks()
                .tryAcquire("account-1", Duration.ofSeconds(30), Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();
        assertThat(coordination.locks().tryAcquire("account-1", Duration.ofSeconds(30), Duration.ZERO))
                .isEmpty();

        // When 30 s pass
        clock.advance(Duration.ofSeconds(30));

        // Then another holder gets it with the next token, and the first is stale
        Lock second = coordination
                .locks()
                .tryAcquire("account-1", Duration.ofSeconds(30), Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();
        assertThat(second.fencingToken()).isEqualTo(first.fencingToken() + 1);
        assertThat(first.isHeld()).isFalse();
        assertThat(first.renew()).isFalse();
        assertThat(second.isHeld()).isTrue();
    }

    @Test
    void aRenewedLockOutlivesItsFirstLease() {
        // Given a lock renewed by hand after 20 of its 30 s
        Lock lock = coordination
                .locks()
                .tryAcquire("account-2", Duration.ofSeconds(30), Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();
        clock.advance(Duration.ofSeconds(20));
        assertThat(lock.renew()).isTrue();

        // When 20 s more pass, Then it is still held
        clock.advance(Duration.ofSeconds(20));
        assertThat(lock.validate()).isTrue();
        assertThat(coordination.locks().tryAcquire("account-2", Duration.ofSeconds(30), Duration.ZERO))
                .isEmpty();
    }

    @Test
    void permitsExpireWithTheClock() {
        // Given 3 permits of 3 held without renewal
        Semaphore semaphore = coordination.semaphore("stripe-api", 3, Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            semaphore.acquire(Duration.ZERO, Renewal.MANUAL).orElseThrow();
        }
        assertThat(semaphore.acquire(Duration.ZERO)).isEmpty();

        // When their lease passes, Then none is held
        clock.advance(Duration.ofSeconds(10));
        assertThat(semaphore.held()).isZero();
        assertThat(semaphore.acquire(Duration.ZERO, Renewal.MANUAL)).isPresent();
    }

    @Test
    void theRateLimiterGrantsTheBurstThenOnePermitPerInterval() {
        // Given 2 permits per second with a burst of 4
        RateLimiter limiter = coordination.rateLimiter("smtp", 2, 4);

        // When asked 5 times at one instant, Then 4 are granted and the 5th waits exactly one interval
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.tryAcquire().granted()).isTrue();
        }
        assertThat(limiter.tryAcquire()).isEqualTo(new RateDecision.Denied(Duration.ofMillis(500)));

        // When one interval passes, Then exactly one more is granted
        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.tryAcquire().granted()).isTrue();
        assertThat(limiter.tryAcquire().granted()).isFalse();
    }

    @Test
    void aDoneJobIsSkippedUntilItsRetentionPasses() {
        // Given a job marked done for one minute
        Claim.Acquired claim =
                (Claim.Acquired) coordination.idempotencyGuard().claim("job-1", Duration.ofSeconds(30), Renewal.MANUAL);
        assertThat(claim.markDone(Duration.ofMinutes(1))).isTrue();

        // Then it is skipped within the minute
        clock.advance(Duration.ofSeconds(59));
        assertThat(coordination.idempotencyGuard().claim("job-1", Duration.ofSeconds(30)))
                .isEqualTo(new Claim.AlreadyDone("job-1"));

        // And claimed again after it
        clock.advance(Duration.ofSeconds(1));
        assertThat(coordination.idempotencyGuard().claim("job-1", Duration.ofSeconds(30), Renewal.MANUAL))
                .isInstanceOf(Claim.Acquired.class);
    }

    @Test
    void aJobInProgressElsewhereSaysWhenItsClaimExpires() {
        // Given a job claimed for 30 s, 10 s ago
        coordination.idempotencyGuard().claim("job-2", Duration.ofSeconds(30), Renewal.MANUAL);
        clock.advance(Duration.ofSeconds(10));

        // Then another claim is deferred by the 20 s left
        assertThat(coordination.idempotencyGuard().claim("job-2", Duration.ofSeconds(30)))
                .isEqualTo(new Claim.InProgressElsewhere("job-2", Duration.ofSeconds(20)));
    }
}
