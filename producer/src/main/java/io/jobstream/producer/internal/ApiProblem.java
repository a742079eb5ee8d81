package io.jobstream.producer.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request the API answers with an error: the HTTP status, a stable code and a message for the client. Thrown inside
 * a request's handling to end it; never escapes the handler.
 */
public final class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Optional<Duration> retryAfter;

    /** A problem with {@code status}, {@code code} and {@code message}. */
    public ApiProblem(int status, String code, String message) {
        this(status, code, message, Optional.empty());
    }

    /** A problem that tells the client when to try again ({@code Retry-After}). */
    public ApiProblem(int status, String code, String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** A 400 with {@code code}. */
    public static ApiProblem badRequest(String code, String message) {
        return new ApiProblem(400, code, message);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The stable error code. */
    public String code() {
        return code;
    }

    /** When the client may try again, if the API knows. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
