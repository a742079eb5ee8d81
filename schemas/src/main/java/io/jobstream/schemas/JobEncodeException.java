package io.jobstream.schemas;

/** A record could not be encoded, typically because a required field is null. Not retriable. */
public final class JobEncodeException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    public JobEncodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
