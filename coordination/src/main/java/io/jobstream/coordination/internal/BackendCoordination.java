package io.jobstream.coordination.internal;

import io.jobstream.coordination.Claim;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.coordination.IdempotencyGuard;
import io.jobstream.coordination.LeaderElection;
import io.jobstream.coordination.LeadershipListener;
import io.jobstream.coordination.Lock;
import io.jobstream.coordination.Locks;
import io.jobstream.coordination.Permit;
import io.jobstream.coordination.RateLimiter;
import io.jobstream.coordination.Renewal;
import io.jobstream.coordination.Semaphore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link Coordination} on any {@link Backend}: argument checks, waiting, leases and their watchdog. */
public final class BackendCoordination implements Coordination {

    private final Backend backend;
    private final CoordinationConfig config;
    private final Watchdog watchdog = new Watchdog();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Locks locks = this::tryLock;
    private final IdempotencyGuard guard = this::claim;

    public BackendCoordination(Backend backend, CoordinationConfig config) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public Locks locks() {
        return locks;
    }

    @Override
    public Semaphore semaphore(String name, int permits) {
        return semaphore(name, permits, config.lease());
    }

    @Override
    public Semaphore semaphore(String name, int permits, Duration lease) {
        Keys.checkName(name, "semaphore name");
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1 (was " + permits + ")");
        }
        checkLease(lease, "lease");
        return new BackendSemaphore(name, permits, lease);
    }

    @Override
    public RateLimiter rateLimiter(String name, double permitsPerSecond, int burst) {
        Keys.checkName(name, "rate limiter name");
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond) || permitsPerSecond > 1_000_000) {
            throw new IllegalArgumentException(
                    "permitsPerSecond must be in (0, 1000000] (was " + permitsPerSecond + ")");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1 (was " + burst + ")");
        }
        return new BackendRateLimiter(backend, name, permitsPerSecond, burst, config.rateLimiterFailureMode());
    }

    @Override
    public IdempotencyGuard idempotencyGuard() {
        return guard;
    }

    @Override
    public LeaderElection leaderElection(String name, Duration lease, LeadershipListener listener) {
        Keys.checkName(name, "leadership name");
        checkLease(lease, "lease");
        Objects.requireNonNull(listener, "listener");
        return LockLeaderElection.start(locks, name, lease, config.waitPollInterval(), listener);
    }

    @Override
    public String location() {
        return backend.location();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watchdog.close();
            backend.close();
        }
    }

    private Optional<Lock> tryLock(String name, Duration lease, Duration maxWait, Renewal renewal) {
        Keys.checkName(name, "lock name");
        checkLease(lease, "lease");
        checkWait(maxWait, "maxWait");
        Objects.requireNonNull(renewal, "renewal");
        String holder = newId();
        return Waiting.acquire(
                backend,
                Keys.lockReleased(name),
                maxWait,
                config.waitPollInterval(),
                () -> backend.lockAcquire(name, holder, lease),
                grant -> {
                    LeasedLock lock = new LeasedLock(
                            backend,
                            name,
                            holder,
                            grant.token(),
                            lease,
                            backend.clock().millis());
                    lock.start(watchdog, renewal);
                    return lock;
                });
    }

    private Claim claim(String jobId, Duration lease, Renewal renewal) {
        Keys.checkName(jobId, "jobId");
        checkLease(lease, "lease");
        Objects.requireNonNull(renewal, "renewal");
        String holder = newId();
        long askedAt = backend.clock().millis();
        Grant grant = backend.claim(jobId, holder, lease);
        return switch (grant.status()) {
            case GRANTED -> {
                LeasedClaim claim = new LeasedClaim(backend, jobId, holder, lease, askedAt);
                claim.start(watchdog, renewal);
                yield claim;
            }
            case DONE -> new Claim.AlreadyDone(jobId);
            case BUSY -> new Claim.InProgressElsewhere(jobId, grant.retryAfter());
        };
    }

    private final class BackendSemaphore implements Semaphore {
        private final String name;
        private final int permits;
        private final Duration lease;

        BackendSemaphore(String name, int permits, Duration lease) {
            this.name = name;
            this.permits = permits;
            this.lease = lease;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int permits() {
            return permits;
        }

        @Override
        public Duration lease() {
            return lease;
        }

        @Override
        public Optional<Permit> acquire(Duration timeout, Renewal renewal) {
            checkWait(timeout, "timeout");
            Objects.requireNonNull(renewal, "renewal");
            String id = newId();
            return Waiting.acquire(
                    backend,
                    Keys.semaphoreReleased(name),
                    timeout,
                    config.waitPollInterval(),
                    () -> backend.permitAcquire(name, permits, id, lease),
                    grant -> {
                        LeasedPermit permit = new LeasedPermit(
                                backend, name, id, lease, backend.clock().millis());
                        permit.start(watchdog, renewal);
                        return permit;
                    });
        }

        @Override
        public int held() {
            return backend.permitsHeld(name);
        }
    }

    private static String newId() {
        return UniqueIds.next();
    }

    private static void checkLease(Duration lease, String what) {
        Objects.requireNonNull(lease, what);
        if (lease.toMillis() < 30) {
            throw new IllegalArgumentException(what + " must be at least 30ms (was " + lease + ")");
        }
    }

    private static void checkWait(Duration wait, String what) {
        Objects.requireNonNull(wait, what);
        if (wait.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative (was " + wait + ")");
        }
    }
}
