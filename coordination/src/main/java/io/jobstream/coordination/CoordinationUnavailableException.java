package io.jobstream.coordination;

import io.jobstream.schemas.RetriableJobstreamException;

/**
 * The coordination store could not be reached or did not answer in time. Locks, semaphores and the idempotency guard
 * fail closed with this exception (the job is retried later, never run unguarded). The message names the store's URI
 * with any password masked.
 */
public final class CoordinationUnavailableException extends RetriableJobstreamException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public CoordinationUnavailableException(String location, String message, Throwable cause) {
        super("coordination store " + location + " unavailable: " + message, cause);
        this.location = location;
    }

    /** The store's URI, password masked. */
    public String location() {
        return location;
    }
}
