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
 * key in every error.
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

    /** A registry at the given comma-separated URLs, no auth, default timeouts. */
    public static SchemaRegistryConfig of(String urls) {
        return new SchemaRegistryConfig(parseUrls(urls), null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /** This config with HTTP basic auth as {@code user:password}. */
    public SchemaRegistryConfig withBasicAuth(String userInfo) {
        return new SchemaRegistryConfig(urls, userInfo, connectTimeout, requestTimeout, bearerAuthToken, trustStore);
    }

    /** This config with bearer auth: {@code Authorization: Bearer <token>} on every request. */
    public SchemaRegistryConfig withBearerAuth(String token) {
        return new SchemaRegistryConfig(urls, basicAuthUserInfo, connectTimeout, requestTimeout, token, trustStore);
    }

    /** This config trusting the certificates in {@code store} (for an {@code https} registry). */
    public SchemaRegistryConfig withTrustStore(TrustStore store) {
        return new SchemaRegistryConfig(
                urls, basicAuthUserInfo, connectTimeout, requestTimeout, bearerAuthToken, store);
    }

    /** This config with the given timeouts. */
    public SchemaRegistryConfig withTimeouts(Duration connect, Duration request) {
        return new SchemaRegistryConfig(urls, basicAuthUserInfo, connect, request, bearerAuthToken, trustStore);
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
        return new SchemaRegistryConfig(
                parseUrls(url.toString()),
                text(settings, BASIC_AUTH_USER_INFO),
                SerdeConfig.duration(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
                SerdeConfig.duration(settings, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
                text(settings, BEARER_AUTH_TOKEN),
                trustStore == null
                        ? null
                        : new TrustStore(
                                Path.of(trustStore),
                                text(settings, TRUSTSTORE_PASSWORD),
                                text(settings, TRUSTSTORE_TYPE)));
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
