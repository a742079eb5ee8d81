package io.jobstream.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Coordination} implementation must have. Subclasses provide two clients of one store
 * ({@link #first()}, {@link #second()}: two connections for Redis, the same instance in memory).
 */
abstract class CoordinationContract {

    protected abstract Coordination first();

    protected abstract Coordination second();

    /** How long the mutual exclusion test contends. */
    protected Duration contentionRun() {
        return Duration.ofSeconds(5);
    }

    /** How long the rate limiter test runs. */
    protected Duration rateRun() {
        return Duration.ofSeconds(5);
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void grantsALockToOneHolderAtATimeWithStrictlyIncreasingFencingTokens() throws Exception {
        // Given 16 virtual threads over two clients contending for one lock
        String name = unique("exclusive");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        AtomicLong lastToken = new AtomicLong(Long.MIN_VALUE);
        AtomicInteger tokenRegressions = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        long end = System.nanoTime() + contentionRun().toNanos();
        List<Future<?>> workers = new ArrayList<>();

        // When each takes the lock, works inside the critical section and releases, for the whole run
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                Coordination client = i % 2 == 0 ? first() : second();
                workers.add(threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        Optional<Lock> acquired =
                                client.locks().tryAcquire(name, Duration.ofSeconds(10), Duration.ofSeconds(10));
                        if (acquired.isEmpty()) {
                            continue;
                        }
                        try (Lock lock = acquired.get()) {
                            int now = inside.incrementAndGet();
                            mostInside.accumulateAndGet(now, Math::max);
                            long previous = lastToken.getAndSet(lock.fencingToken());
                            if (lock.fencingToken() <= previous) {
                                tokenRegressions.incrementAndGet();
                            }
                            grants.incrementAndGet();
                            Thread.onSpinWait();
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(contentionRun().toSeconds() + 30, TimeUnit.SECONDS);
            }
        }

        // Then never two holders at once, and every grant had a greater token than the one before
        assertThat(mostInside).hasValue(1);
        assertThat(tokenRegressions).hasValue(0);
        assertThat(grants.get()).isGreaterThan(16);
    }

    @Test
    void refusesASecondHolderAndGrantsTheLockAgainAfterRelease() {
        // Given a held lock
        String name = unique("held");
        Lock lock = first().locks()
                .tryAcquire(name, Duration.ofSeconds(10), Duration.ZERO)
                .orElseThrow();

        // When another client tries without waiting, Then it is refused
        assertThat(second().locks().tryAcquire(name, Duration.ofSeconds(10), Duration.ZERO))
                .isEmpty();

        // When the holder releases, Then the other gets it with a greater token, and a second release is refused
        assertThat(lock.release()).isTrue();
        assertThat(lock.release()).isFalse();
        assertThat(lock.isHeld()).isFalse();
        try (Lock next = second().locks()
                .tryAcquire(name, Duration.ofSeconds(10), Duration.ZERO)
                .orElseThrow()) {
            assertThat(next.fencingToken()).isGreaterThan(lock.fencingToken());
            assertThat(next.validate()).isTrue();
        }
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderReleases() throws Exception {
        // Given a held lock and a waiter prepared to wait long
        String name = unique("waited");
        Lock lock = first().locks()
                .tryAcquire(name, Duration.ofSeconds(30), Duration.ZERO)
                .orElseThrow();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Lock>> waiter = threads.submit(
                    () -> second().locks().tryAcquire(name, Duration.ofSeconds(30), Duration.ofSeconds(60)));

            // When the holder releases
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiter.isDone());
            lock.release();

            // Then the waiter holds it
            Optional<Lock> acquired = waiter.get(10, TimeUnit.SECONDS);
            assertThat(acquired).isPresent();
            assertThat(acquired.get().fencingToken()).isGreaterThan(lock.fencingToken());
            acquired.get().release();
        }
    }

    @Test
    void theWatchdogKeepsALockBeyondItsLease() {
        // Given a lock with a short lease renewed by the watchdog
        String name = unique("renewed");
        try (Lock lock = first().locks()
                .tryAcquire(name, Duration.ofSeconds(1), Duration.ZERO)
                .orElseThrow()) {

            // Then for several leases nobody else gets it and the holder still holds it
            await().during(Duration.ofMillis(3500))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> second().locks()
                                    .tryAcquire(name, Duration.ofSeconds(1), Duration.ZERO)
                                    .isEmpty()
                            && lock.isHeld());
            assertThat(lock.validate()).isTrue();
        }
    }

    @Test
    void leaseExpiryFreesTheLockOfAHolderThatStopsRenewing() {
        // Given a holder that stops renewing (no watchdog) a 1 s lease
        String name = unique("abandoned");
        Duration lease = Duration.ofSeconds(1);
        Lock abandoned = first().locks()
                .tryAcquire(name, lease, Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();

        // Then another gets the lock within the lease plus a second
        List<Lock> taken = new ArrayList<>();
        await().atMost(lease.plusSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> second().locks()
                .tryAcquire(name, Duration.ofSeconds(10), Duration.ZERO)
                .map(taken::add)
                .orElse(false));
        assertThat(taken.getFirst().fencingToken()).isGreaterThan(abandoned.fencingToken());
        taken.getFirst().release();
    }

    @Test
    void aHolderPausedPastItsLeaseIsRejectedAndItsStaleTokenDetectable() {
        // Given a holder paused (not renewing) past its lease, and another that took the lock meanwhile
        String name = unique("paused");
        Lock paused = first().locks()
                .tryAcquire(name, Duration.ofMillis(500), Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();
        Lock successor = second().locks()
                .tryAcquire(name, Duration.ofSeconds(10), Duration.ofSeconds(10))
                .orElseThrow();

        // When the paused holder wakes up, Then its renewal and release are refused and its token is stale
        assertThat(paused.renew()).isFalse();
        assertThat(paused.release()).isFalse();
        assertThat(paused.validate()).isFalse();
        assertThat(paused.isHeld()).isFalse();
        assertThat(paused.fencingToken()).isLessThan(successor.fencingToken());

        // And the successor still holds the lock
        assertThat(successor.validate()).isTrue();
        assertThat(successor.release()).isTrue();
    }

    @Test
    void aLockFoundLostCompletesWhenLost() {
        // Given a lock whose lease lapsed and was taken by another holder
        String name = unique("lost");
        Lock lapsed = first().locks()
                .tryAcquire(name, Duration.ofMillis(300), Duration.ZERO, Renewal.MANUAL)
                .orElseThrow();
        Lock other = second().locks()
                .tryAcquire(name, Duration.ofSeconds(10), Duration.ofSeconds(10))
                .orElseThrow();

        // When the first holder tries to renew
        lapsed.renew();

        // Then its loss is signalled
        assertThat(lapsed.whenLost().toCompletableFuture()).isCompleted();
        other.release();
    }

    @Test
    void aSemaphoreNeverHasMoreHoldersThanPermitsAndLeaksNone() throws Exception {
        // Given a semaphore of 10 permits and 50 contenders over two clients
        String name = unique("pool");
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger mostHolders = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();

        // When each takes a permit 4 times, holding it briefly
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> contenders = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Semaphore semaphore = (i % 2 == 0 ? first() : second()).semaphore(name, 10, Duration.ofSeconds(10));
                contenders.add(threads.submit(() -> {
                    for (int round = 0; round < 4; round++) {
                        try (Permit permit =
                                semaphore.acquire(Duration.ofSeconds(60)).orElseThrow()) {
                            int now = holders.incrementAndGet();
                            mostHolders.accumulateAndGet(now, Math::max);
                            Thread.sleep(5);
                            holders.decrementAndGet();
                            assertThat(permit.isHeld()).isTrue();
                        }
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> contender : contenders) {
                contender.get(90, TimeUnit.SECONDS);
            }
        }

        // Then never more than 10 holders, every contender finished, and no permit is left held
        assertThat(mostHolders.get()).isBetween(2, 10);
        assertThat(completed).hasValue(200);
        assertThat(first().semaphore(name, 10).held()).isZero();
    }

    @Test
    void permitsOfAHolderThatStopsRenewingExpire() {
        // Given a holder of 5 of 10 permits that stops renewing their 1 s leases
        String name = unique("crashed-pool");
        Duration lease = Duration.ofSeconds(1);
        Semaphore semaphore = first().semaphore(name, 10, lease);
        List<Permit> abandoned = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            abandoned.add(semaphore.acquire(Duration.ZERO, Renewal.MANUAL).orElseThrow());
        }
        assertThat(second().semaphore(name, 10, lease).held()).isEqualTo(5);

        // Then within the lease plus a second all 10 permits can be had again
        await().atMost(lease.plusSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> second().semaphore(name, 10, lease).held() == 0);
        Semaphore other = second().semaphore(name, 10, Duration.ofSeconds(10));
        List<Permit> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(other.acquire(Duration.ZERO).orElseThrow());
        }
        assertThat(other.acquire(Duration.ZERO)).isEmpty();

        // And the abandoned permits can be neither renewed nor released
        assertThat(abandoned.getFirst().renew()).isFalse();
        assertThat(abandoned.get(1).release()).isFalse();
        all.forEach(Permit::release);
        assertThat(other.held()).isZero();
    }

    @Test
    void aWaitingContenderGetsAPermitWhenOneIsReleased() throws Exception {
        // Given a semaphore of one permit, held
        String name = unique("single");
        Semaphore semaphore = first().semaphore(name, 1, Duration.ofSeconds(30));
        Permit held = semaphore.acquire(Duration.ZERO).orElseThrow();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Permit>> waiter = threads.submit(
                    () -> second().semaphore(name, 1, Duration.ofSeconds(30)).acquire(Duration.ofSeconds(60)));

            // When the holder releases
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiter.isDone());
            assertThat(held.release()).isTrue();

            // Then the waiter gets the permit
            Optional<Permit> permit = waiter.get(10, TimeUnit.SECONDS);
            assertThat(permit).isPresent();
            assertThat(permit.get().validate()).isTrue();
            permit.get().release();
        }
    }

    @Test
    void aRateLimiterSharedByFourWorkersHoldsTheRate() throws Exception {
        // Given 4 workers over two clients sharing 200 permits per second (burst 10)
        String name = unique("smtp");
        double rate = 200;
        int burst = 10;
        Duration run = rateRun();
        AtomicInteger granted = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + run.toNanos();

        // When they take permits as fast as they are given for the run
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RateLimiter limiter = (i % 2 == 0 ? first() : second()).rateLimiter(name, rate, burst);
                workers.add(threads.submit(() -> {
                    while (true) {
                        Duration left = Duration.ofNanos(end - System.nanoTime());
                        if (left.isNegative() || left.isZero()) {
                            return null;
                        }
                        if (limiter.acquire(left).isPresent() && System.nanoTime() < end) {
                            granted.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(run.toSeconds() + 30, TimeUnit.SECONDS);
            }
        }

        // Then the total is the rate over the run (plus the burst) within 5 %
        double expected = rate * run.toNanos() / 1e9 + burst;
        assertThat((double) granted.get()).isBetween(expected * 0.95, expected * 1.05);
    }

    @Test
    void aRateLimiterDeniesBeyondItsBurstWithTheWaitUntilTheNextPermit() {
        // Given a limiter of 1 permit per second with a burst of 5
        RateLimiter limiter = first().rateLimiter(unique("slow"), 1, 5);

        // When 6 permits are asked for at once
        List<RateDecision> decisions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            decisions.add(limiter.tryAcquire());
        }

        // Then 5 are granted and the 6th is told to wait up to a second
        assertThat(decisions.subList(0, 5)).allMatch(RateDecision::granted);
        assertThat(decisions.get(5))
                .isInstanceOfSatisfying(RateDecision.Denied.class, denied -> assertThat(denied.retryAfter())
                        .isPositive()
                        .isLessThanOrEqualTo(Duration.ofSeconds(1)));
        // And a waiting acquire that cannot be served in time gives up
        assertThat(limiter.acquire(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void theIdempotencyGuardRunsAJobOnceAndSkipsItWhenDone() {
        // Given a job id claimed by one worker
        String jobId = unique("job");
        Claim claim = first().idempotencyGuard().claim(jobId, Duration.ofSeconds(10));
        assertThat(claim).isInstanceOf(Claim.Acquired.class);

        // When another worker gets the same id, Then it is told it is in progress elsewhere
        assertThat(second().idempotencyGuard().claim(jobId, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(Claim.InProgressElsewhere.class, busy -> assertThat(busy.retryAfter())
                        .isPositive());

        // When the first marks it done, Then a redelivery is skipped
        assertThat(((Claim.Acquired) claim).markDone(Duration.ofMinutes(5))).isTrue();
        assertThat(second().idempotencyGuard().claim(jobId, Duration.ofSeconds(10)))
                .isEqualTo(new Claim.AlreadyDone(jobId));
    }

    @Test
    void aReleasedClaimLetsTheJobRunAgain() {
        // Given a claimed job whose run failed
        String jobId = unique("failed-job");
        Claim.Acquired claim = (Claim.Acquired) first().idempotencyGuard().claim(jobId, Duration.ofSeconds(10));

        // When the claim is released
        assertThat(claim.release()).isTrue();

        // Then another worker can claim it
        Claim again = second().idempotencyGuard().claim(jobId, Duration.ofSeconds(10));
        assertThat(again).isInstanceOf(Claim.Acquired.class);
        ((Claim.Acquired) again).release();
    }

    @Test
    void aClaimWhoseHolderStopsRenewingExpiresAndCannotBeMarkedDoneOverTheNewHolder() {
        // Given a claim with a short lease that its holder stops renewing
        String jobId = unique("stalled-job");
        Claim.Acquired stalled =
                (Claim.Acquired) first().idempotencyGuard().claim(jobId, Duration.ofMillis(300), Renewal.MANUAL);

        // Then another worker claims it once the lease expired
        List<Claim> claims = new ArrayList<>();
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Claim claim = second().idempotencyGuard().claim(jobId, Duration.ofSeconds(10));
                    claims.add(claim);
                    return claim instanceof Claim.Acquired;
                });

        // And the stalled holder can neither mark it done nor release it
        assertThat(stalled.markDone(Duration.ofMinutes(1))).isFalse();
        assertThat(stalled.release()).isFalse();
        assertThat(((Claim.Acquired) claims.getLast()).markDone(Duration.ofMinutes(1)))
                .isTrue();
    }

    @Test
    void leadershipPassesToTheOtherCandidateWhenTheLeaderCloses() {
        // Given two candidates for one leadership
        String name = unique("scheduler");
        RecordingListener firstEvents = new RecordingListener();
        RecordingListener secondEvents = new RecordingListener();
        LeaderElection one = first().leaderElection(name, Duration.ofSeconds(2), firstEvents);
        LeaderElection two = second().leaderElection(name, Duration.ofSeconds(2), secondEvents);
        try {
            // Then exactly one leads
            await().atMost(Duration.ofSeconds(10)).until(() -> one.isLeader() || two.isLeader());
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> one.isLeader() != two.isLeader());
            LeaderElection leader = one.isLeader() ? one : two;
            LeaderElection follower = leader == one ? two : one;
            RecordingListener leaderEvents = leader == one ? firstEvents : secondEvents;
            RecordingListener followerEvents = leader == one ? secondEvents : firstEvents;
            long firstTerm = leader.fencingToken().orElseThrow();

            // When the leader closes
            leader.close();

            // Then it heard its loss, and the other leads with a newer term
            assertThat(leaderEvents.events).containsExactly("granted:" + firstTerm, "revoked");
            await().atMost(Duration.ofSeconds(10)).until(follower::isLeader);
            assertThat(follower.fencingToken().orElseThrow()).isGreaterThan(firstTerm);
            assertThat(followerEvents.events)
                    .containsExactly("granted:" + follower.fencingToken().orElseThrow());
        } finally {
            one.close();
            two.close();
        }
    }

    static final class RecordingListener implements LeadershipListener {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public void onGranted(long fencingToken) {
            events.add("granted:" + fencingToken);
        }

        @Override
        public void onRevoked() {
            events.add("revoked");
        }
    }
}
