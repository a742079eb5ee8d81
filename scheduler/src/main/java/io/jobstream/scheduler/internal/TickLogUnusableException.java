package io.jobstream.scheduler.internal;

import io.jobstream.schemas.JobstreamException;

/**
 * The tick log can never work as it is (its marker topic is not compacted, the credentials are not allowed to use its
 * transactional id or topics, the brokers are too old): trying again cannot help, an operator must change something.
 * The scheduler stops for good on it.
 */
public final class TickLogUnusableException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    public TickLogUnusableException(String message) {
        super(message);
    }

    public TickLogUnusableException(String message, Throwable cause) {
        super(message, cause);
    }
}
