package io.jobstream.coordination;

import io.jobstream.schemas.JobstreamException;

/**
 * The coordination store refused a call for a reason that will not go away by itself (a missing ACL permission, a
 * script error). The message names the store.
 */
public class CoordinationException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    public CoordinationException(String message, Throwable cause) {
        super(message, cause);
    }
}
