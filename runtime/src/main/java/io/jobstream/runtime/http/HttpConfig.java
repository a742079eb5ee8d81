package io.jobstream.runtime.http;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.ConfigValidator;
import io.jobstream.runtime.Password;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HTTP seam's settings ({@code jobstream.runtime.http.*}), read by every role that serves routes: whether a token
 * is required, the tokens with their scopes and queues, the limit on failed authentications per client address, and
 * the header and default body limits. Immutable; validated at construction, naming the key in every error.
 *
 * @param authRequired whether token-guarded routes need a token ({@code jobstream.runtime.http.auth-required})
 * @param tokens the bearer tokens ({@code jobstream.runtime.http.tokens.<name>.*})
 * @param authFailureLimit failed authentications one client address may make per window before it is answered 429
 * @param authFailureWindow the window of {@code authFailureLimit}, also how long an address stays refused
 * @param maxHeaderSize the largest request header section, in bytes; larger is answered 431
 * @param maxBodySize the largest request body of a route that sets no limit of its own, in bytes; larger is 413
 */
public record HttpConfig(
        boolean authRequired,
        List<AccessToken> tokens,
        int authFailureLimit,
        Duration authFailureWindow,
        long maxHeaderSize,
        long maxBodySize) {

    /** Whether a token is required. */
    public static final ConfigKey<Boolean> AUTH_REQUIRED = ConfigKey.booleanKey("jobstream.runtime.http.auth-required")
            .defaultValue(true)
            .doc("Whether routes guarded by a token (the API's /v1 routes, the dlq-service's dead-letter routes) need"
                    + " a bearer token from jobstream.runtime.http.tokens; false lets anyone call them (development"
                    + " only, and only on a loopback address). Probes and metrics never need one; webhooks are"
                    + " checked by their signature.")
            .build();

    /** The bearer tokens. */
    public static final ConfigKey<Map<String, String>> TOKENS = ConfigKey.mapKey("jobstream.runtime.http.tokens")
            .doc(
                    "Bearer tokens, one per client: <name>.token (the secret, at least 16 characters; or <name>.token-file,"
                            + " a file holding it, such as a mounted secret), <name>.scopes"
                            + " (a list among publish, status:read, dlq:read, dlq:replay, admin; default publish,status:read)"
                            + " and <name>.queues (a list of queue names, prefix globs such as billing-*, or *). Each scope"
                            + " holds for each listed queue. Names: lowercase letters and digits.")
            .build();

    /** Failed authentications per address and window. */
    public static final ConfigKey<Integer> AUTH_FAILURE_LIMIT = ConfigKey.intKey(
                    "jobstream.runtime.http.auth-failure-limit")
            .defaultValue(10)
            .validator(ConfigValidator.range(1, 1_000_000))
            .unit("failures")
            .doc("Failed authentications (a missing or wrong token) one client address may make within"
                    + " jobstream.runtime.http.auth-failure-window; past it every request from that address is"
                    + " answered 429 with Retry-After until the window has passed.")
            .build();

    /** The failure window. */
    public static final ConfigKey<Duration> AUTH_FAILURE_WINDOW = ConfigKey.durationKey(
                    "jobstream.runtime.http.auth-failure-window")
            .defaultValue(Duration.ofMinutes(1))
            .validator(ConfigValidator.range(Duration.ofSeconds(1), Duration.ofDays(1)))
            .doc("The window in which jobstream.runtime.http.auth-failure-limit failures are counted per address.")
            .build();

    /** The header limit. */
    public static final ConfigKey<Long> MAX_HEADER_SIZE = ConfigKey.sizeKey("jobstream.runtime.http.max-header-size")
            .defaultValue(32L * 1024L)
            .validator(ConfigValidator.range(1024L, 1024L * 1024L))
            .doc("Largest request header section (names and values); larger is answered 431.")
            .build();

    /** The default body limit. */
    public static final ConfigKey<Long> MAX_BODY_SIZE = ConfigKey.sizeKey("jobstream.runtime.http.max-body-size")
            .defaultValue(64L * 1024L)
            .validator(ConfigValidator.range(0L, 64L * 1024L * 1024L))
            .doc("Largest request body of a route that sets no limit of its own (the dead-letter routes); larger"
                    + " is answered 413 without reading it. The API's job routes use jobstream.api.max-request-size.")
            .build();

    /** Every key of the seam. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            AUTH_REQUIRED, TOKENS, AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW, MAX_HEADER_SIZE, MAX_BODY_SIZE);

    /** The scopes of a token whose {@code .scopes} is not set: what an API token could always do. */
    public static final Set<Scope> DEFAULT_SCOPES = Set.of(Scope.PUBLISH, Scope.STATUS_READ);

    /** Validates every field, naming its key. */
    public HttpConfig {
        tokens = List.copyOf(Objects.requireNonNull(tokens, TOKENS.name()));
        AUTH_FAILURE_LIMIT.check(authFailureLimit);
        AUTH_FAILURE_WINDOW.check(authFailureWindow);
        MAX_HEADER_SIZE.check(maxHeaderSize);
        MAX_BODY_SIZE.check(maxBodySize);
        Set<String> names = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        for (AccessToken token : tokens) {
            if (!names.add(token.name())) {
                throw new ConfigException(TOKENS.name() + "." + token.name() + " is defined twice");
            }
            if (!secrets.add(token.secret().value())) {
                throw new ConfigException(TOKENS.name() + "." + token.name() + ".token is the same as another"
                        + " token's; give each client its own");
            }
        }
    }

    /** The defaults with no token and auth on: token-guarded routes answer 401 to everyone. */
    public static HttpConfig defaults() {
        return builder().build();
    }

    /** The defaults of every key, with {@code tokens}: {@code builder().tokens(tokens).build()}. */
    public static HttpConfig defaults(List<AccessToken> tokens) {
        return builder().tokens(tokens).build();
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static HttpConfig from(Config config) {
        return builder()
                .authRequired(config.get(AUTH_REQUIRED))
                .tokens(parseTokens(config.get(TOKENS)))
                .authFailures(config.get(AUTH_FAILURE_LIMIT), config.get(AUTH_FAILURE_WINDOW))
                .maxHeaderSize(config.get(MAX_HEADER_SIZE))
                .maxBodySize(config.get(MAX_BODY_SIZE))
                .build();
    }

    /** A builder with every setting at its key's default and no token. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .authRequired(authRequired)
                .tokens(tokens)
                .authFailures(authFailureLimit, authFailureWindow)
                .maxHeaderSize(maxHeaderSize)
                .maxBodySize(maxBodySize);
    }

    /** Builds an {@link HttpConfig}; every setting starts at its key's default, {@link #build()} validates. */
    public static final class Builder {
        private boolean authRequired = AUTH_REQUIRED.defaultValue().orElseThrow();
        private List<AccessToken> tokens = List.of();
        private int authFailureLimit = AUTH_FAILURE_LIMIT.defaultValue().orElseThrow();
        private Duration authFailureWindow = AUTH_FAILURE_WINDOW.defaultValue().orElseThrow();
        private long maxHeaderSize = MAX_HEADER_SIZE.defaultValue().orElseThrow();
        private long maxBodySize = MAX_BODY_SIZE.defaultValue().orElseThrow();

        private Builder() {}

        /** {@link HttpConfig#AUTH_REQUIRED}: whether token-guarded routes need a token. */
        public Builder authRequired(boolean required) {
            this.authRequired = required;
            return this;
        }

        /** {@link HttpConfig#TOKENS}: the tokens. */
        public Builder tokens(List<AccessToken> tokens) {
            this.tokens = tokens;
            return this;
        }

        /** {@link HttpConfig#AUTH_FAILURE_LIMIT} per {@link HttpConfig#AUTH_FAILURE_WINDOW}. */
        public Builder authFailures(int limit, Duration window) {
            this.authFailureLimit = limit;
            this.authFailureWindow = window;
            return this;
        }

        /** {@link HttpConfig#MAX_HEADER_SIZE}, in bytes. */
        public Builder maxHeaderSize(long bytes) {
            this.maxHeaderSize = bytes;
            return this;
        }

        /** {@link HttpConfig#MAX_BODY_SIZE}, in bytes. */
        public Builder maxBodySize(long bytes) {
            this.maxBodySize = bytes;
            return this;
        }

        /**
         * The config.
         *
         * @throws ConfigException naming the key of the first invalid setting
         */
        public HttpConfig build() {
            return new HttpConfig(
                    authRequired, tokens, authFailureLimit, authFailureWindow, maxHeaderSize, maxBodySize);
        }
    }

    private static List<AccessToken> parseTokens(Map<String, String> entries) {
        Set<String> fields = Set.of("token", "token-file", "scopes", "queues");
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        entries.forEach((entry, value) -> {
            int dot = entry.indexOf('.');
            // an env var cannot tell '-' from '.': JOBSTREAM_..._<NAME>_TOKEN_FILE arrives as <name>.token.file
            String field = dot < 0 ? "" : entry.substring(dot + 1).replace('.', '-');
            if (dot < 0 || !fields.contains(field)) {
                throw new ConfigException("unknown key " + TOKENS.name() + "." + entry + ": expected " + TOKENS.name()
                        + ".<name>.<field> with a field among " + new TreeSet<>(fields));
            }
            byName.computeIfAbsent(entry.substring(0, dot), n -> new LinkedHashMap<>())
                    .put(field, value);
        });
        List<AccessToken> tokens = new ArrayList<>();
        byName.forEach((name, values) -> {
            String prefix = TOKENS.name() + "." + name;
            Set<Scope> scopes =
                    values.containsKey("scopes") ? EnumSet.noneOf(Scope.class) : EnumSet.copyOf(DEFAULT_SCOPES);
            for (String raw : list(values.get("scopes"))) {
                scopes.add(Scope.parse(raw)
                        .orElseThrow(() -> new ConfigException("invalid value '" + raw + "' in " + prefix
                                + ".scopes: expected some of " + EnumSet.allOf(Scope.class))));
            }
            tokens.add(new AccessToken(
                    name,
                    secret(values, prefix),
                    scopes,
                    new LinkedHashSet<>(list(required(values, "queues", prefix)))));
        });
        return tokens;
    }

    /**
     * The token's secret: {@code .token}, or the content of the file {@code .token-file} names (a mounted Docker or
     * Kubernetes secret; trailing newline stripped) — one of the two, never both.
     */
    private static Password secret(Map<String, String> values, String prefix) {
        if (values.containsKey("token") && values.containsKey("token-file")) {
            throw new ConfigException(prefix + ".token and " + prefix + ".token-file are both set; give one");
        }
        if (!values.containsKey("token-file")) {
            return Password.of(required(values, "token", prefix));
        }
        String path = values.get("token-file");
        try {
            return Password.of(
                    java.nio.file.Files.readString(java.nio.file.Path.of(path)).strip());
        } catch (java.io.IOException | RuntimeException e) {
            throw new ConfigException("cannot read " + prefix + ".token-file " + path + ": "
                    + e.getClass().getSimpleName());
        }
    }

    private static List<String> list(String raw) {
        if (raw == null) {
            return List.of();
        }
        return Arrays.stream(raw.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String required(Map<String, String> fields, String field, String prefix) {
        String value = fields.get(field);
        if (value == null || value.isBlank()) {
            throw new ConfigException("missing required key " + prefix + "." + field);
        }
        return value.trim();
    }
}
