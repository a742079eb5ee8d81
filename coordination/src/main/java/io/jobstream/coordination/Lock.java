package io.jobstream.coordination;

/**
 * A held exclusive lock. Its {@link #fencingToken()} increases strictly with every grant of the same name, so a
 * resource that remembers the highest token it has seen can refuse a write from a holder whose lease expired
 * meanwhile (for example one paused by a long GC).
 */
public interface Lock extends Lease {

    /** The lock's name. */
    String name();

    /** This grant's fencing token: greater than every token granted before for {@link #name()}. */
    long fencingToken();
}
