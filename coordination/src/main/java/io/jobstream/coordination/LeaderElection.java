package io.jobstream.coordination;

import java.util.OptionalLong;

/**
 * A candidacy for a named leadership, based on a {@link Lock}: the candidate holding the lock leads, its watchdog
 * renews it, and leadership is lost when a renewal is refused or fails for longer than the lease. Thread-safe.
 */
public interface LeaderElection extends AutoCloseable {

    String name();

    /** Whether this candidate leads now (as far as it knows without a round trip). */
    boolean isLeader();

    /** The fencing token of the current leadership term, when leading. */
    OptionalLong fencingToken();

    /** Ends the candidacy; a leader releases the lock (the listener hears {@code onRevoked}). Idempotent. */
    @Override
    void close();
}
