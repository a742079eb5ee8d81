package io.jobstream.api.internal;

import io.jobstream.runtime.http.HttpProblem;
import java.time.Duration;
import java.util.Optional;

/**
 * A problem of the API's routes: an {@link HttpProblem} (rendered by the runtime's HTTP seam as the one problem body),
 * kept as its own name so the API's validation reads as it did. Thrown inside a request's handling to end it.
 */
public final class ApiProblem extends HttpProblem {
    private static final long serialVersionUID = 1L;

    /** A problem with {@code status}, {@code code} and {@code message}. */
    public ApiProblem(int status, String code, String message) {
        super(status, code, message);
    }

    /** A problem that tells the client when to try again ({@code Retry-After}). */
    public ApiProblem(int status, String code, String message, Optional<Duration> retryAfter) {
        super(status, code, message, retryAfter);
    }

    /** A 400 with {@code code}. */
    public static ApiProblem badRequest(String code, String message) {
        return new ApiProblem(400, code, message);
    }
}
