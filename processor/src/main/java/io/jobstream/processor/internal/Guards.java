package io.jobstream.processor.internal;

import io.jobstream.coordination.Claim;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.Lease;
import io.jobstream.coordination.Lock;
import io.jobstream.coordination.Permit;
import io.jobstream.coordination.RateLimiter;
import io.jobstream.coordination.Semaphore;
import io.jobstream.processor.CoordinationRules;
import io.jobstream.processor.CoordinationRules.LockRule;
import io.jobstream.processor.CoordinationRules.RateRule;
import io.jobstream.processor.CoordinationRules.SemaphoreRule;
import io.jobstream.processor.KeyTemplate;
import io.jobstream.schemas.Job;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes what a job's {@link CoordinationRules} say it must hold before its handler runs, in this order: the idempotency
 * claim on its id, its lock, a semaphore permit, a rate token; all within one wait ({@code
 * jobstream.worker.coordination-wait}). Anything not had in time, and any error of the store, gives {@link
 * Admission.Defer} (fail closed: the job is re-queued, never run unguarded); what was taken by then is given back.
 *
 * <p>Every name is scoped by the queue ({@link QueueKeys}): job ids, locks, semaphores and rate limiters are per queue.
 *
 * <p>Thread-safe; {@link #admit(Job, CoordinationRules)} blocks the calling (job) thread for at most the wait plus
 * the store's command timeout. The semaphores and rate limiters of each type are made once.
 */
public final class Guards {
    /** Defer reasons: the {@code reason} tag of {@code jobstream.jobs.deferred}. */
    public static final String LOCK_BUSY = "lock_busy";

    public static final String SEMAPHORE_FULL = "semaphore_full";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String IN_PROGRESS_ELSEWHERE = "in_progress_elsewhere";
    public static final String COORDINATION_UNAVAILABLE = "coordination_unavailable";
    /** How long an idempotency claim lasts; the watchdog renews it while the job runs. */
    static final Duration CLAIM_LEASE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Guards.class);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private final Coordination coordination;
    private final String queue;
    private final Duration wait;
    private final Duration retention;
    private final Map<SemaphoreRule, Semaphore> semaphores = new ConcurrentHashMap<>();
    private final Map<RateRule, RateLimiter> rateLimiters = new ConcurrentHashMap<>();
    private final AtomicLong storeErrors = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /** Guards for the jobs of {@code queue}: every name they give the store is scoped by it ({@link QueueKeys}). */
    public Guards(Coordination coordination, String queue, Duration wait, Duration retention) {
        this.coordination = Objects.requireNonNull(coordination, "coordination");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    /** The store. */
    public Coordination coordination() {
        return coordination;
    }

    /** Whether a job may run now, after waiting at most the configured wait. */
    public sealed interface Admission {
        /** Run it; give {@code held} back when the handler has returned. */
        record Admitted(Held held) implements Admission {}

        /** Its id already succeeded: skip it (its offset counts as done). */
        record Skip() implements Admission {}

        /** Not now: re-queue it through a delay tier; {@code reason} is one of this class's reason constants. */
        record Defer(String reason, String detail) implements Admission {}

        /** Its lock name cannot be made from it: fail it, non-retryable. */
        record Reject(String message) implements Admission {}
    }

    /** Takes what {@code rules} ask for {@code job}. Never throws for a store fault (that is a {@code Defer}). */
    public Admission admit(Job job, CoordinationRules rules) {
        String lockName = null;
        if (rules.lock().isPresent()) {
            KeyTemplate template = rules.lock().get().key();
            switch (template.resolve(job)) {
                case KeyTemplate.Resolution.Resolved resolved -> lockName = QueueKeys.name(queue, resolved.key());
                case KeyTemplate.Resolution.Unresolved unresolved -> {
                    return new Admission.Reject("lock key " + template + " cannot be resolved for job " + job.getId()
                            + ": " + unresolved.reason());
                }
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        Held held = new Held();
        try {
            if (rules.idempotent()) {
                Claim claim = coordination.idempotencyGuard().claim(QueueKeys.jobId(queue, job.getId()), CLAIM_LEASE);
                switch (claim) {
                    case Claim.Acquired acquired -> held.claim = acquired;
                    case Claim.AlreadyDone done -> {
                        return new Admission.Skip();
                    }
                    case Claim.InProgressElsewhere busy -> {
                        return new Admission.Defer(
                                IN_PROGRESS_ELSEWHERE,
                                "job " + job.getId() + " is running elsewhere (claim expires in " + busy.retryAfter()
                                        + ")");
                    }
                }
            }
            if (lockName != null) {
                LockRule rule = rules.lock().get();
                Optional<Lock> lock = coordination.locks().tryAcquire(lockName, rule.lease(), left(deadline));
                if (lock.isEmpty()) {
                    held.release();
                    return new Admission.Defer(LOCK_BUSY, "lock " + lockName + " is held by another job");
                }
                held.lock = lock.get();
            }
            if (rules.semaphore().isPresent()) {
                SemaphoreRule rule = rules.semaphore().get();
                Semaphore semaphore = semaphores.computeIfAbsent(
                        rule, r -> coordination.semaphore(QueueKeys.name(queue, r.name()), r.permits()));
                Optional<Permit> permit = semaphore.acquire(left(deadline));
                if (permit.isEmpty()) {
                    held.release();
                    return new Admission.Defer(
                            SEMAPHORE_FULL, "all " + rule.permits() + " permits of semaphore " + rule.name() + " held");
                }
                held.permit = permit.get();
            }
            if (rules.rate().isPresent()) {
                RateRule rule = rules.rate().get();
                RateLimiter limiter = rateLimiters.computeIfAbsent(
                        rule, r -> coordination.rateLimiter(QueueKeys.name(queue, r.name()), r.perSecond(), r.burst()));
                if (limiter.acquire(left(deadline)).isEmpty()) {
                    held.release();
                    return new Admission.Defer(
                            RATE_LIMITED,
                            "rate limiter " + rule.name() + " (" + rule.perSecond() + "/s) is at its limit");
                }
            }
            return new Admission.Admitted(held);
        } catch (RuntimeException e) {
            // Redis unreachable or slow (CoordinationUnavailableException), refused (CoordinationException), or the
            // wait was interrupted: fail closed
            held.release();
            logStoreError(job, e);
            return new Admission.Defer(
                    COORDINATION_UNAVAILABLE, "coordination store " + coordination.location() + ": " + e);
        }
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private void logStoreError(Job job, RuntimeException e) {
        long n = storeErrors.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (n == 1) {
            LOG.warn(
                    "job_deferred reason={} store={} id={} type={} error=\"{}\" (first of its kind; later ones are"
                            + " logged at most every 10 s)",
                    COORDINATION_UNAVAILABLE,
                    coordination.location(),
                    job.getId(),
                    job.getType(),
                    e.getMessage(),
                    e);
            lastLogNanos.set(now);
        } else if (now - last >= LOG_EVERY_NANOS && lastLogNanos.compareAndSet(last, now)) {
            LOG.warn(
                    "job_deferred reason={} store={} id={} type={} error=\"{}\" count={}",
                    COORDINATION_UNAVAILABLE,
                    coordination.location(),
                    job.getId(),
                    job.getType(),
                    e.getMessage(),
                    n);
        }
    }

    /** What one admitted job holds; given back once, by {@link #succeeded()} or {@link #failed()}. */
    public final class Held {
        private Claim.Acquired claim;
        private Lock lock;
        private Permit permit;
        private boolean released;

        /** The lock's fencing token, when the job's type declares a lock. */
        public OptionalLong fencingToken() {
            Lock held = lock;
            return held == null ? OptionalLong.empty() : OptionalLong.of(held.fencingToken());
        }

        /** The handler succeeded: marks the id done (idempotent types), then gives the lock and permit back. */
        public synchronized void succeeded(String jobId) {
            if (released) {
                return;
            }
            if (claim != null) {
                try {
                    if (!claim.markDone(retention)) {
                        LOG.warn(
                                "idempotency_claim_lost id={} store={} (its lease expired and another worker claimed"
                                        + " it; the job may have run twice)",
                                jobId,
                                coordination.location());
                    }
                } catch (RuntimeException e) {
                    LOG.warn(
                            "idempotency_mark_done_failed id={} store={} error=\"{}\" (a redelivery may run it again)",
                            jobId,
                            coordination.location(),
                            e.getMessage());
                    giveBack(claim);
                }
                claim = null;
            }
            release();
        }

        /** The handler failed, timed out or was abandoned: gives everything back, the claim too (a retry may run). */
        public synchronized void failed() {
            release();
        }

        private void release() {
            if (released) {
                return;
            }
            released = true;
            giveBack(permit);
            giveBack(lock);
            giveBack(claim);
        }

        private void giveBack(Lease lease) {
            if (lease == null) {
                return;
            }
            try {
                lease.release();
            } catch (RuntimeException e) {
                // the lease expires by itself; its watchdog was stopped by release()
                LOG.debug("coordination_release_failed store={} error={}", coordination.location(), e.toString());
            }
        }
    }
}
