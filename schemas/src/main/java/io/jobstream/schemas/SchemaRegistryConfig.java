package io.jobstream.schemas;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach a Confluent-compatible schema registry. Immutable; validated at construction, naming the setting's
 * key in every error. Made by {@link #builder(String)} (or {@link #of(String)}), copied with {@link #toBuilder()}.
 *
 * @param urls registry base URLs ({@value #URL}), tried in order when one cannot be reached
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth ({@value #BASIC_AUTH_USER_INFO}), or null
 * @param connectTimeout TCP connect timeout ({@value #CONNECT_TIMEOUT}, default 5s)
 * @param requestTimeout time to wait for a response ({@value #REQUEST_TIMEOUT}, default 10s)
 * @param bearerAuthToken a token sent as {@code Authorization: Bearer <token>} ({@value #BEARER_AUTH_TOKEN}), or null;
 *     not together with basic auth
 * @param trustStore the certificates an {@code https} registry is trusted by ({@value #TRUSTSTORE_LOCATION}), or null
 *     for the JVM's default trust
 */
public record SchemaRegistryConfig(
        List<URI> urls,
        String basicAuthUserInfo,
        Duration connectTimeout,
        Duration requestTimeout,
        String bearerAuthToken,
        TrustStore trustStore) {

    /** Comma-separated registry base URLs, e.g. {@code http://localhost:8081}. */
    public static final String URL = "jobstream.schemas.registry.url";
    /** {@code user:password} for HTTP basic auth; unset means no auth. */
    public static final String BASIC_AUTH_USER_INFO = "jobstream.schemas.registry.basic-auth.user-info";
    /** A bearer token for the registry (OAuth/OIDC-fronted registries); unset means none. */
    public static final String BEARER_AUTH_TOKEN = "jobstream.schemas.registry.bearer-auth.token";
    /** A trust store file (PKCS12 or JKS) for an {@code https} registry; unset means the JVM's default trust. */
    public static final String TRUSTSTORE_LOCATION = "jobstream.schemas.registry.ssl.truststore.location";
    /** The trust store's password. */
    public static final String TRUSTSTORE_PASSWORD = "jobstream.schemas.registry.ssl.truststore.password";
    /** The trust store's type, {@code PKCS12} (default) or {@code JKS}. */
    public static final String TRUSTSTORE_TYPE = "jobstream.schemas.registry.ssl.truststore.type";
    /** TCP connect timeout: a duration ({@code 5s}, {@code 500ms}, {@code PT5S}) or milliseconds. */
    public static final String CONNECT_TIMEOUT = "jobstream.schemas.registry.connect-timeout";
    /** Response timeout: a duration ({@code 10s}, {@code PT10S}) or milliseconds. */
    public static final String REQUEST_TIMEOUT = "jobstream.schemas.registry.request-timeout";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A trust store file.
     *
     * @param location the file ({@value #TRUSTSTORE_LOCATION})
     * @param password its password, or null ({@value #TRUSTSTORE_PASSWORD})
     * @param type {@code PKCS12} or {@code JKS} ({@value #TRUSTSTORE_TYPE})
     */
    public record TrustStore(Path location, String password, String type) {
        public TrustStore {
            if (location == null) {
                throw new IllegalArgumentException(TRUSTSTORE_LOCATION + " must name a file");
            }
            type = type == null || type.isBlank() ? "PKCS12" : type.strip();
        }

        @Override
        public String toString() {
            return "TrustStore[location=" + location + ", type=" + type + "]";
        }
    }

    /** Without bearer auth or a trust store of its own. */
    public SchemaRegistryConfig(
            List<URI> urls, String basicAuthUserInfo, Duration connectTimeout, Duration requestTimeout) {
        this(urls, basicAuthUserInfo, connectTimeout, requestTimeout, null, null);
    }

    public SchemaRegistryConfig {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException(URL + " must name at least one registry URL");
        }
        urls = List.copyOf(urls);
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || url.getHost() == null) {
                throw new IllegalArgumentException(URL + " must be http(s)://host[:port][/path], got " + url);
            }
        }
        if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 0) {
            throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be user:password");
        }
        if (bearerAuthToken != null && bearerAuthToken.isBlank()) {
            bearerAuthToken = null;
        }
        if (basicAuthUserInfo != null && bearerAuthToken != null) {
            throw new IllegalArgumentException(
                    "set one of " + BASIC_AUTH_USER_INFO + " and " + BEARER_AUTH_TOKEN + ", not both");
        }
        requirePositive(CONNECT_TIMEOUT, connectTimeout);
        requirePositive(REQUEST_TIMEOUT, requestTimeout);
    }

    /** A registry at the given comma-separated URLs, no auth, default timeouts: {@code builder(urls).build()}. */
    public static SchemaRegistryConfig of(String urls) {
        return builder(urls).build();
    }

    /** A builder for a registry at the given comma-separated URLs, no auth, default timeouts. */
    public static Builder builder(String urls) {
        return new Builder(parseUrls(urls));
    }

    /** A builder holding this config's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(urls)
                .basicAuth(basicAuthUserInfo)
                .bearerAuth(bearerAuthToken)
                .timeouts(connectTimeout, requestTimeout)
                .trustStore(trustStore);
    }

    /** Builds a {@link SchemaRegistryConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final List<URI> urls;
        private String basicAuthUserInfo;
        private String bearerAuthToken;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private TrustStore trustStore;

        private Builder(List<URI> urls) {
            this.urls = urls;
        }

        /** HTTP basic auth as {@code user:password} ({@value SchemaRegistryConfig#BASIC_AUTH_USER_INFO}), or null. */
        public Builder basicAuth(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        /** Bearer auth: {@code Authorization: Bearer <token>} on every request, or null. */
        public Builder bearerAuth(String token) {
            this.bearerAuthToken = token;
            return this;
        }

        /** The connect and request timeouts. */
        public Builder timeouts(Duration connect, Duration request) {
            this.connectTimeout = connect;
            this.requestTimeout = request;
            return this;
        }

        /** The certificates an {@code https} registry is trusted by, or null for the JVM's default trust. */
        public Builder trustStore(TrustStore store) {
            this.trustStore = store;
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException naming the key of the first invalid setting
         */
        public SchemaRegistryConfig build() {
            return new SchemaRegistryConfig(
                    urls, basicAuthUserInfo, connectTimeout, requestTimeout, bearerAuthToken, trustStore);
        }
    }

    /**
     * Reads the {@code jobstream.schemas.registry.*} keys from plain values; returns null when {@value #URL} is absent
     * or blank. (A service reads them, typed and documented, through {@code io.jobstream.runtime.SchemaSettings}.)
     */
    public static SchemaRegistryConfig fromMap(Map<String, ?> settings) {
        Object url = settings.get(URL);
        if (url == null || url.toString().isBlank()) {
            return null;
        }
        String trustStore = text(settings, TRUSTSTORE_LOCATION);
        return builder(url.toString())
                .basicAuth(text(settings, BASIC_AUTH_USER_INFO))
                .bearerAuth(text(settings, BEARER_AUTH_TOKEN))
                .timeouts(
                        SerdeConfig.duration(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
                        SerdeConfig.duration(settings, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT))
                .trustStore(
                        trustStore == null
                                ? null
                                : new TrustStore(
                                        Path.of(trustStore),
                                        text(settings, TRUSTSTORE_PASSWORD),
                                        text(settings, TRUSTSTORE_TYPE)))
                .build();
    }

    private static String text(Map<String, ?> settings, String key) {
        Object value = settings.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private static List<URI> parseUrls(String urls) {
        Objects.requireNonNull(urls, URL);
        List<URI> parsed = new ArrayList<>();
        for (String part : urls.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                parsed.add(URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(URL + " has an invalid URL: " + trimmed, e);
            }
        }
        return parsed;
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
        }
    }

    @Override
    public String toString() {
        return "SchemaRegistryConfig[urls=" + urls + ", basicAuthUserInfo="
                + (basicAuthUserInfo == null
                        ? "none"
                        : basicAuthUserInfo.substring(0, basicAuthUserInfo.indexOf(':')) + ":***")
                + ", bearerAuthToken=" + (bearerAuthToken == null ? "none" : "***")
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", trustStore=" + (trustStore == null ? "default" : trustStore) + "]";
    }
}
