package io.jobstream.schemas;

import java.net.URI;
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
 */
public record SchemaRegistryConfig(
        List<URI> urls, String basicAuthUserInfo, Duration connectTimeout, Duration requestTimeout) {

    /** Comma-separated registry base URLs, e.g. {@code http://localhost:8081}. */
    public static final String URL = "jobstream.schemas.registry.url";
    /** {@code user:password} for HTTP basic auth; unset means no auth. */
    public static final String BASIC_AUTH_USER_INFO = "jobstream.schemas.registry.basic-auth.user-info";
    /** TCP connect timeout: a duration ({@code 5s}, {@code 500ms}, {@code PT5S}) or milliseconds. */
    public static final String CONNECT_TIMEOUT = "jobstream.schemas.registry.connect-timeout";
    /** Response timeout: a duration ({@code 10s}, {@code PT10S}) or milliseconds. */
    public static final String REQUEST_TIMEOUT = "jobstream.schemas.registry.request-timeout";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

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
        requirePositive(CONNECT_TIMEOUT, connectTimeout);
        requirePositive(REQUEST_TIMEOUT, requestTimeout);
    }

    /** A registry at the given comma-separated URLs, no auth, default timeouts. */
    public static SchemaRegistryConfig of(String urls) {
        return new SchemaRegistryConfig(parseUrls(urls), null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /** This config with HTTP basic auth as {@code user:password}. */
    public SchemaRegistryConfig withBasicAuth(String userInfo) {
        return new SchemaRegistryConfig(urls, userInfo, connectTimeout, requestTimeout);
    }

    /** This config with the given timeouts. */
    public SchemaRegistryConfig withTimeouts(Duration connect, Duration request) {
        return new SchemaRegistryConfig(urls, basicAuthUserInfo, connect, request);
    }

    /**
     * Reads the {@code jobstream.schemas.registry.*} keys; returns null when {@value #URL} is absent or blank.
     */
    public static SchemaRegistryConfig fromMap(Map<String, ?> settings) {
        Object url = settings.get(URL);
        if (url == null || url.toString().isBlank()) {
            return null;
        }
        Object userInfo = settings.get(BASIC_AUTH_USER_INFO);
        return new SchemaRegistryConfig(
                parseUrls(url.toString()),
                userInfo == null || userInfo.toString().isBlank() ? null : userInfo.toString(),
                SerdeConfig.duration(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
                SerdeConfig.duration(settings, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT));
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
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + "]";
    }
}
