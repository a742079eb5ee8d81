package io.jobstream.processor;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job of one type must hold before its handler runs, taken from the {@code Coordination} given to the
 * processor (Redis/Dragonfly, or the in-memory twin): a {@link LockRule lock} named from the job, a {@link
 * SemaphoreRule semaphore permit}, a {@link RateRule rate-limiter token}, and with {@code idempotent} an idempotency
 * claim on the job id (an id that already succeeded is skipped).
 *
 * <p>A job that cannot get all of them within {@code jobstream.worker.coordination-wait} is deferred, not failed:
 * re-published through a delay tier with its attempt unchanged. Set in config as {@code
 * jobstream.worker.types.<type>.*} or with {@link JobProcessor.Builder#lock}, {@link JobProcessor.Builder#semaphore},
 * {@link JobProcessor.Builder#rate} and {@link JobProcessor.Builder#idempotent}. Immutable.
 *
 * @param lock an exclusive lock per job, named by a key template
 * @param semaphore a permit of a named semaphore
 * @param rate a token of a named rate limiter
 * @param idempotent whether each job id runs to success at most once
 */
public record CoordinationRules(
        Optional<LockRule> lock, Optional<SemaphoreRule> semaphore, Optional<RateRule> rate, boolean idempotent) {

    /** No rules: the job runs as soon as it is ready. */
    public static final CoordinationRules NONE =
            new CoordinationRules(Optional.empty(), Optional.empty(), Optional.empty(), false);

    /** The shortest lease a lock may have (the coordination store's minimum). */
    public static final Duration MIN_LEASE = Duration.ofMillis(30);

    public CoordinationRules {
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(semaphore, "semaphore");
        Objects.requireNonNull(rate, "rate");
    }

    /**
     * An exclusive lock named by {@code key} for each job, held while its handler runs; the lease is renewed by a
     * watchdog, so it only bounds how long a crashed worker's lock outlives it.
     */
    public record LockRule(KeyTemplate key, Duration lease) {
        public LockRule {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(MIN_LEASE) < 0) {
                throw new IllegalArgumentException("lock lease must be at least 30ms (was " + lease + ")");
            }
        }
    }

    /** One permit of the semaphore {@code name} with {@code permits} permits, shared by every worker using the name. */
    public record SemaphoreRule(String name, int permits) {
        public SemaphoreRule {
            checkName(name, "semaphore");
            if (permits < 1) {
                throw new IllegalArgumentException("semaphore permits must be at least 1 (was " + permits + ")");
            }
        }
    }

    /** One token of the rate limiter {@code name}: {@code perSecond} on average, up to {@code burst} at once. */
    public record RateRule(String name, double perSecond, int burst) {
        public RateRule {
            checkName(name, "rate limiter");
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate per-second must be positive (was " + perSecond + ")");
            }
            if (burst < 1) {
                throw new IllegalArgumentException("rate burst must be at least 1 (was " + burst + ")");
            }
        }
    }

    /** As this, with a lock named by {@code key} for {@code lease}. */
    public CoordinationRules withLock(KeyTemplate key, Duration lease) {
        return new CoordinationRules(Optional.of(new LockRule(key, lease)), semaphore, rate, idempotent);
    }

    /** As this, with a permit of semaphore {@code name}. */
    public CoordinationRules withSemaphore(String name, int permits) {
        return new CoordinationRules(lock, Optional.of(new SemaphoreRule(name, permits)), rate, idempotent);
    }

    /** As this, with a token of rate limiter {@code name}. */
    public CoordinationRules withRate(String name, double perSecond, int burst) {
        return new CoordinationRules(lock, semaphore, Optional.of(new RateRule(name, perSecond, burst)), idempotent);
    }

    /** As this, idempotent or not. */
    public CoordinationRules withIdempotent(boolean value) {
        return new CoordinationRules(lock, semaphore, rate, value);
    }

    /** Whether there is nothing to take. */
    public boolean isEmpty() {
        return lock.isEmpty() && semaphore.isEmpty() && rate.isEmpty() && !idempotent;
    }

    private static void checkName(String name, String what) {
        Objects.requireNonNull(name, what + " name");
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be blank");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '{' || c == '}' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        what + " name '" + name + "' must not contain '{', '}' or control characters");
            }
        }
    }
}
