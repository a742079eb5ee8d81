package io.jobstream.runtime.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as a {@link Route} sees it: already matched, authenticated and within its limits.
 *
 * @param method the HTTP method, upper case
 * @param path the decoded path
 * @param rawQuery the raw query string, empty when none
 * @param headers the request headers, names in lower case
 * @param body the body, at most the endpoint's limit (empty for none)
 * @param pathParams the values of the path's {@code {name}} segments
 * @param principal who sent it ({@link Principal#anonymous()} on open routes or with auth off)
 * @param clientAddress the peer's IP address
 */
public record HttpRequest(
        String method,
        String path,
        String rawQuery,
        Map<String, List<String>> headers,
        byte[] body,
        Map<String, String> pathParams,
        Principal principal,
        String clientAddress) {

    /** Copies the collections and lower-cases header names. */
    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        rawQuery = rawQuery == null ? "" : rawQuery;
        Map<String, List<String>> lower = new LinkedHashMap<>();
        Objects.requireNonNull(headers, "headers")
                .forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                        .addAll(values));
        lower.replaceAll((name, values) -> List.copyOf(values));
        headers = Map.copyOf(lower);
        body = Objects.requireNonNull(body, "body");
        pathParams = Map.copyOf(pathParams);
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(clientAddress, "clientAddress");
    }

    /** The first value of header {@code name} (any case). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** Whether header {@code name} was sent. */
    public boolean hasHeader(String name) {
        return headers.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** The value of path segment {@code {name}}. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the endpoint's path has no {" + name + "}");
        }
        return value;
    }

    /** The query's parameters, decoded, in order; empty values are left out. */
    public Map<String, List<String>> queryParams() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!value.isEmpty()) {
                    out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                }
            } catch (IllegalArgumentException e) {
                throw HttpProblem.badRequest("BAD_REQUEST", "the query string is not valid URL encoding");
            }
        }
        return out;
    }

    /** The first value of query parameter {@code name}. */
    public Optional<String> query(String name) {
        return Optional.ofNullable(queryParams().get(name)).map(List::getFirst);
    }
}
