package io.jobstream.runtime.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An answer that is an error: the HTTP status, a stable code and a message for the client, rendered as the one problem
 * body {@code {"error": CODE, "message": ...}}. A route throws it to end a request; the seam renders it. The message
 * goes to the client as written, so it must never carry an exception's text, a broker address or a secret.
 */
public class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Optional<Duration> retryAfter;

    /** A problem with {@code status}, {@code code} and {@code message}. */
    public HttpProblem(int status, String code, String message) {
        this(status, code, message, Optional.empty());
    }

    /** A problem that tells the client when to try again ({@code Retry-After}). */
    public HttpProblem(int status, String code, String message, Optional<Duration> retryAfter) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem is a 4xx or 5xx, not " + status);
        }
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** A 400 with {@code code}. */
    public static HttpProblem badRequest(String code, String message) {
        return new HttpProblem(400, code, message);
    }

    /** A 404 {@code NOT_FOUND}. */
    public static HttpProblem notFound(String message) {
        return new HttpProblem(404, "NOT_FOUND", message);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The stable error code. */
    public String code() {
        return code;
    }

    /** When the client may try again, if known. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
