package io.jobstream.coordination;

/** What a {@link RateLimiter} does when the coordination store is unreachable. */
public enum RateLimiterFailureMode {
    /** Throw {@link CoordinationUnavailableException}: nothing runs unlimited (the default). */
    FAIL_CLOSED,
    /** Grant: work goes on without a shared limit until the store is back. */
    FAIL_OPEN
}
