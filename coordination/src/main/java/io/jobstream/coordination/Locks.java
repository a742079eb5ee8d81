package io.jobstream.coordination;

import java.time.Duration;
import java.util.Optional;

/** Exclusive, named locks with fencing tokens. Thread-safe. */
public interface Locks {

    /**
     * Tries to take the lock {@code name}, waiting up to {@code maxWait} ({@link Duration#ZERO}: one attempt). While
     * waiting, a release notification or a bounded poll triggers the next attempt. The lease is renewed by a watchdog.
     *
     * @return the lock, or empty when another holder kept it for {@code maxWait}
     * @throws CoordinationUnavailableException when the store is unreachable (fail closed: never run unguarded)
     */
    default Optional<Lock> tryAcquire(String name, Duration lease, Duration maxWait) {
        return tryAcquire(name, lease, maxWait, Renewal.WATCHDOG);
    }

    /** As {@link #tryAcquire(String, Duration, Duration)}, with the given renewal. */
    Optional<Lock> tryAcquire(String name, Duration lease, Duration maxWait, Renewal renewal);
}
