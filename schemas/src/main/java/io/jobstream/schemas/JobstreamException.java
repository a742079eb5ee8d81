package io.jobstream.schemas;

/**
 * The root of every exception Jobstream throws for a fault. Expected outcomes are returned as values, never
 * thrown.
 *
 * <p>{@link #isRetriable()} says whether trying the same operation again may succeed; exceptions of the
 * {@link RetriableJobstreamException} branch always are, others decide per instance (for example a {@link
 * JobDecodeException} is retriable only when the schema registry was unavailable).
 */
public class JobstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobstreamException(String message) {
        super(message);
    }

    public JobstreamException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same operation may succeed if tried again later. */
    public boolean isRetriable() {
        return false;
    }
}
