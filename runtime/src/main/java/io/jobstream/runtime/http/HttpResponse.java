package io.jobstream.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Route} answers: a status, a content type, the body bytes and extra headers. The seam adds {@code
 * Cache-Control: no-store} and leaves the body out for {@code HEAD}.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body
 * @param headers extra response headers
 */
public record HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** JSON's media type. */
    public static final String JSON = "application/json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Copies the headers. */
    public HttpResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** {@code value} (a Jackson tree, a map, a record) as a JSON body. */
    public static HttpResponse json(int status, Object value) {
        try {
            return new HttpResponse(status, JSON, MAPPER.writeValueAsBytes(value), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the response as JSON", e);
        }
    }

    /** A body of {@code contentType}. */
    public static HttpResponse of(int status, String contentType, byte[] body) {
        return new HttpResponse(status, contentType, body, Map.of());
    }

    /** The one problem body {@code {"error": CODE, "message": ...}}, with Retry-After when the problem has one. */
    public static HttpResponse problem(HttpProblem problem) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", problem.code());
        body.put("message", String.valueOf(problem.getMessage()));
        HttpResponse response = json(problem.status(), body);
        return problem.retryAfter()
                .map(wait -> response.withHeader("Retry-After", String.valueOf(retryAfterSeconds(wait))))
                .orElse(response);
    }

    /** The problem body of {@code status}, {@code code} and {@code message}. */
    public static HttpResponse problem(int status, String code, String message) {
        return problem(new HttpProblem(status, code, message));
    }

    /** This response with header {@code name} set to {@code value}. */
    public HttpResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, contentType, body, more);
    }

    /** The body as UTF-8 text (tests, logs). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whole seconds, at least 1, never less than {@code wait}. */
    public static long retryAfterSeconds(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
