package io.jobstream.schemas;

/** A fault that may go away by itself: trying the same operation again later may succeed. */
public class RetriableJobstreamException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    public RetriableJobstreamException(String message) {
        super(message);
    }

    public RetriableJobstreamException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetriable() {
        return true;
    }
}
