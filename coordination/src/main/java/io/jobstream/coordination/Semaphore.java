package io.jobstream.coordination;

import java.time.Duration;
import java.util.Optional;

/**
 * A named counting semaphore whose permits are leases: a permit whose holder stops renewing it (a crashed worker)
 * expires and frees its slot. All users of one name must agree on {@link #permits()}. Thread-safe.
 */
public interface Semaphore {

    String name();

    /** How many permits may be held at once. */
    int permits();

    /** The lease of each permit. */
    Duration lease();

    /**
     * Takes a permit, waiting up to {@code timeout} ({@link Duration#ZERO}: one attempt). Expired permits are pruned
     * and a free slot claimed in one atomic step. The permit is renewed by a watchdog.
     *
     * @return the permit, or empty when none was free within {@code timeout}
     * @throws CoordinationUnavailableException when the store is unreachable (fail closed)
     */
    default Optional<Permit> acquire(Duration timeout) {
        return acquire(timeout, Renewal.WATCHDOG);
    }

    /** As {@link #acquire(Duration)}, with the given renewal. */
    Optional<Permit> acquire(Duration timeout, Renewal renewal);

    /**
     * How many unexpired permits are held right now, by anyone.
     *
     * @throws CoordinationUnavailableException when the store is unreachable
     */
    int held();
}
