package io.jobstream.coordination;

/** A held permit of a {@link Semaphore}. */
public interface Permit extends Lease {

    /** The semaphore's name. */
    String semaphoreName();

    /** This permit's unique id. */
    String id();
}
