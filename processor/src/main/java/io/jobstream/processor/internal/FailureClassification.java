package io.jobstream.processor.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jobstream.processor.NonRetryableException;
import java.util.List;

/**
 * The one list of handler exceptions whose failures are never retried. A failure is non-retryable when the exception,
 * or any exception in its cause chain, is an instance of one of {@link #NON_RETRYABLE}; every other exception is
 * retryable. (Failures that are not exceptions have fixed codes: {@code DECODE_ERROR}, {@code UNKNOWN_TYPE} and
 * {@code EXPIRED} are never retried, {@code TIMEOUT} always is.)
 */
public final class FailureClassification {
    /** Exceptions that mean the job can never succeed, however often it is retried. */
    public static final List<Class<? extends Throwable>> NON_RETRYABLE = List.of(
            NonRetryableException.class,
            IllegalArgumentException.class,
            ClassCastException.class,
            UnsupportedOperationException.class,
            JsonProcessingException.class);

    private static final int MAX_CAUSE_DEPTH = 16;

    private FailureClassification() {}

    /** Whether another attempt after {@code failure} may succeed. */
    public static boolean isRetryable(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            for (Class<? extends Throwable> type : NON_RETRYABLE) {
                if (type.isInstance(t)) {
                    return false;
                }
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return true;
    }
}
