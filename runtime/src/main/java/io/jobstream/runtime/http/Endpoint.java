package io.jobstream.runtime.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One route of a server: a method, a path pattern, who may call it, its body limit, and the {@link Route}.
 *
 * <p>The pattern is literal segments and {@code {name}} segments ({@code /v1/queues/{queue}/dlq:replay}); a segment
 * matches exactly, a {@code {name}} segment any one non-empty segment. A state-changing method (anything but {@code
 * GET}/{@code HEAD}) needs {@code Content-Type: application/json} unless {@link Builder#anyContentType()} says the
 * route reads another (a signed webhook); otherwise the request is answered 415.
 *
 * @param method the method ({@code GET} also serves {@code HEAD})
 * @param path the path pattern
 * @param access who may call it
 * @param maxBodySize the largest body, in bytes; empty for the server's default
 * @param jsonOnly whether a state-changing request must be JSON
 * @param route what it does
 */
public record Endpoint(
        String method, String path, Access access, OptionalLong maxBodySize, boolean jsonOnly, Route route) {

    /** Validates the pattern; a {@link Access#scope(Scope)} endpoint needs a {@code {queue}} segment. */
    public Endpoint {
        method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("endpoint path " + path + " must start with /");
        }
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(maxBodySize, "maxBodySize");
        maxBodySize.ifPresent(max -> {
            if (max < 0) {
                throw new IllegalArgumentException("maxBodySize must not be negative");
            }
        });
        Objects.requireNonNull(route, "route");
        if (access.kind() == Access.Kind.SCOPE && !segments(path).contains("{queue}")) {
            throw new IllegalArgumentException("endpoint " + path + " checks a queue scope but has no {queue} segment");
        }
    }

    /** A {@code GET} (and {@code HEAD}) endpoint. */
    public static Builder get(String path) {
        return new Builder("GET", path);
    }

    /** A {@code POST} endpoint. */
    public static Builder post(String path) {
        return new Builder("POST", path);
    }

    /** Whether the method changes state (anything but {@code GET}). */
    public boolean changesState() {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /** The pattern's segments. */
    public List<String> segments() {
        return segments(path);
    }

    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String segment : path.substring(1).split("/", -1)) {
            out.add(segment);
        }
        return out;
    }

    /** Builds an {@link Endpoint}; access defaults to a valid token. */
    public static final class Builder {
        private final String method;
        private final String path;
        private Access access = Access.token();
        private OptionalLong maxBodySize = OptionalLong.empty();
        private boolean jsonOnly = true;

        private Builder(String method, String path) {
            this.method = method;
            this.path = path;
        }

        /** Who may call it. */
        public Builder access(Access access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /** A token with {@code scope} for the path's {@code {queue}}. */
        public Builder scope(Scope scope) {
            return access(Access.scope(scope));
        }

        /** Anyone (probes, metrics). */
        public Builder open() {
            return access(Access.open());
        }

        /** The largest body, in bytes; larger is answered 413 unread. */
        public Builder maxBodySize(long bytes) {
            this.maxBodySize = OptionalLong.of(bytes);
            return this;
        }

        /** A state-changing request may carry any content type (the route checks a signature over it). */
        public Builder anyContentType() {
            this.jsonOnly = false;
            return this;
        }

        /** The endpoint doing {@code route}. */
        public Endpoint to(Route route) {
            return new Endpoint(method, path, access, maxBodySize, jsonOnly, route);
        }
    }
}
