package io.jobstream.producer.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;

/** Reading request bodies within a limit and writing JSON responses on the JDK's HTTP server. */
public final class HttpIo {
    private HttpIo() {}

    /**
     * A response to send.
     *
     * @param status the HTTP status
     * @param body the JSON body
     * @param headers extra response headers
     */
    public record Response(int status, ObjectNode body, Map<String, String> headers) {
        /** A response without extra headers. */
        public Response(int status, ObjectNode body) {
            this(status, body, Map.of());
        }
    }

    /** The error body {@code {"error": code, "message": ...}} of {@code problem}, with its Retry-After. */
    public static Response error(ApiProblem problem) {
        ObjectNode body = Payloads.MAPPER.createObjectNode();
        body.put("error", problem.code());
        body.put("message", problem.getMessage());
        Map<String, String> headers = problem.retryAfter()
                .map(d -> Map.of("Retry-After", String.valueOf(retryAfterSeconds(d))))
                .orElse(Map.of());
        if (problem.status() == 401) {
            headers = Map.of("WWW-Authenticate", "Bearer realm=\"jobstream\"");
        }
        return new Response(problem.status(), body, headers);
    }

    /** Whole seconds, at least 1, never less than {@code wait}. */
    public static long retryAfterSeconds(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @throws ApiProblem 413 when {@code Content-Length} or the bytes read exceed the limit
     */
    public static byte[] readBody(HttpExchange exchange, long limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("BAD_REQUEST", "Content-Length is not a number");
            }
            if (length > limit) {
                throw tooLarge(limit);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        }
    }

    /** Sends {@code response} as JSON. */
    public static void send(HttpExchange exchange, Response response) throws IOException {
        byte[] bytes;
        try {
            bytes = Payloads.MAPPER.writeValueAsBytes(response.body());
        } catch (JsonProcessingException e) {
            throw new IOException("cannot write the response", e);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        response.headers()
                .forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ApiProblem tooLarge(long limit) {
        return new ApiProblem(413, "PAYLOAD_TOO_LARGE", "the request body is larger than " + limit + " bytes");
    }
}
