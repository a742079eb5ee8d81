package io.jobstream.coordination;

/**
 * Hears a {@link LeaderElection}'s gains and losses, on the election's virtual thread, one call at a time. A
 * listener that throws is logged and the election goes on.
 */
public interface LeadershipListener {

    /** This candidate leads from now on; {@code fencingToken} identifies the term. */
    void onGranted(long fencingToken);

    /** This candidate no longer leads (lost lease, unreachable store, or closed). */
    void onRevoked();
}
