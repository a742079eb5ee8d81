package io.jobstream.processor;

import io.jobstream.schemas.JobstreamException;

/**
 * Thrown by a handler (or extended by its exceptions) to say the job can never succeed: its failure goes to {@code
 * <queue>.failed} with {@code retryable=false}, so it is dead-lettered at once instead of retried.
 */
public class NonRetryableException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
