package io.jobstream.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client of the Confluent Schema Registry REST API (Avro schemas only, no schema references), with HTTP
 * basic or bearer auth and, for {@code https}, the JVM's trust or a trust store of its own.
 *
 * <p>Caches: each schema id is fetched once and each (subject, schema) pair is registered once for the client's
 * lifetime; concurrent callers asking for the same id share one request. An id the registry does not know ({@code
 * 404}) is remembered as unknown for {@link #UNKNOWN_ID_TTL} (at most {@link #MAX_UNKNOWN_IDS} ids), so records
 * naming made-up ids do not turn into one registry request each; other failed requests are not cached.
 *
 * <p>Redirects are not followed: the credentials go to the configured URLs only, and a {@code 3xx} answer is a
 * {@link SchemaRegistryException}.
 *
 * <p>Thread-safe. Faults: {@link SchemaRegistryUnavailableException} (retriable) when no registry URL answers, a
 * request times out, or the registry answers {@code 5xx}, {@code 408} or {@code 429}; {@link
 * SchemaRegistryException} for any other error answer, with the registry's {@code error_code} ({@link
 * SchemaRegistryException#INCOMPATIBLE_SCHEMA} for every {@code 409}, whatever code the registry gave).
 */
public final class SchemaRegistryClient implements AutoCloseable {

    /** The registry's media type, sent as {@code Content-Type} and {@code Accept}. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** The outcome of a compatibility check; {@code messages} explain an incompatibility when the registry says. */
    public record CompatibilityResult(boolean compatible, List<String> messages) {
        public CompatibilityResult {
            messages = List.copyOf(messages);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryConfig config;
    private final HttpClient http;
    private final String authorization;
    private final ConcurrentHashMap<Integer, CompletableFuture<Schema>> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SubjectSchema, CompletableFuture<Integer>> idsBySubjectSchema =
            new ConcurrentHashMap<>();
    /** Ids the registry answered 404 for: the answer, and until when (on {@link #nanoTime}) it stands. */
    private final ConcurrentHashMap<Integer, UnknownId> unknownIds = new ConcurrentHashMap<>();

    /** How long an id the registry does not know is answered from memory. */
    public static final java.time.Duration UNKNOWN_ID_TTL = java.time.Duration.ofSeconds(30);
    /** How many unknown ids are remembered at most. */
    public static final int MAX_UNKNOWN_IDS = 1_000;

    private final LongSupplier nanoTime;

    private record UnknownId(SchemaRegistryException answer, long until) {}

    private record SubjectSchema(String subject, String canonicalSchema) {}

    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this(config, System::nanoTime);
    }

    /** A client whose negative cache reads time from {@code nanoTime} (tests). */
    SchemaRegistryClient(SchemaRegistryConfig config, LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.config = Objects.requireNonNull(config, "config");
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.trustStore() != null) {
            builder.sslContext(sslContext(config.trustStore()));
        }
        this.http = builder.build();
        if (config.basicAuthUserInfo() != null) {
            this.authorization = "Basic "
                    + Base64.getEncoder()
                            .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        } else if (config.bearerAuthToken() != null) {
            this.authorization = "Bearer " + config.bearerAuthToken();
        } else {
            this.authorization = null;
        }
    }

    /** An SSL context trusting exactly the certificates of {@code store}; a store that cannot be read fails here. */
    private static SSLContext sslContext(SchemaRegistryConfig.TrustStore store) {
        try (InputStream in = Files.newInputStream(store.location())) {
            KeyStore keyStore = KeyStore.getInstance(store.type());
            keyStore.load(in, store.password() == null ? null : store.password().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    SchemaRegistryConfig.TRUSTSTORE_LOCATION + ": cannot read trust store " + store.location() + " ("
                            + store.type() + "): " + e.getMessage(),
                    e);
        }
    }

    public SchemaRegistryConfig config() {
        return config;
    }

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and returns its
     * global id. Registering an already registered schema returns its existing id (the registry's rule); this client
     * asks at most once per (subject, schema).
     */
    public int register(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        String schemaText = schema.toString();
        int id = cached(idsBySubjectSchema, new SubjectSchema(subject, schemaText), () -> {
            JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schemaText));
            JsonNode idNode = body.get("id");
            if (idNode == null || !idNode.canConvertToInt()) {
                throw new SchemaRegistryException(200, 0, "register answer has no id: " + body);
            }
            return idNode.intValue();
        });
        schemasById.putIfAbsent(id, CompletableFuture.completedFuture(schema));
        unknownIds.remove(id);
        return id;
    }

    /** The schema with the given global id ({@code GET /schemas/ids/{id}}), fetched at most once per id. */
    public Schema schemaById(int id) {
        UnknownId unknown = unknownIds.get(id);
        if (unknown != null) {
            if (nanoTime.getAsLong() - unknown.until() < 0) {
                throw unknown.answer();
            }
            unknownIds.remove(id, unknown);
        }
        try {
            return fetchSchema(id);
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                rememberUnknown(id, e);
            }
            throw e;
        }
    }

    private void rememberUnknown(int id, SchemaRegistryException answer) {
        long now = nanoTime.getAsLong();
        if (unknownIds.size() >= MAX_UNKNOWN_IDS) {
            unknownIds.values().removeIf(entry -> now - entry.until() >= 0);
            if (unknownIds.size() >= MAX_UNKNOWN_IDS) {
                return;
            }
        }
        unknownIds.put(id, new UnknownId(answer, now + UNKNOWN_ID_TTL.toNanos()));
    }

    private Schema fetchSchema(int id) {
        return cached(schemasById, id, () -> {
            JsonNode body = send("GET", "/schemas/ids/" + id, null);
            JsonNode type = body.get("schemaType");
            if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
                throw new SchemaRegistryException(200, 0, "schema " + id + " is " + type.asText() + ", not AVRO");
            }
            JsonNode text = body.get("schema");
            if (text == null || !text.isTextual()) {
                throw new SchemaRegistryException(200, 0, "schema " + id + " answer has no schema: " + body);
            }
            try {
                return new Schema.Parser().parse(text.asText());
            } catch (SchemaParseException e) {
                throw new SchemaRegistryException(200, 0, "schema " + id + " is not valid Avro: " + e.getMessage());
            }
        });
    }

    /**
     * Whether {@code schema} is compatible with the latest version under {@code subject}, by the subject's
     * compatibility rule ({@code POST /compatibility/subjects/{subject}/versions/latest?verbose=true}), with the
     * registry's explanation (Confluent's {@code messages}, Apicurio's {@code reason}). A subject without versions
     * accepts any schema. Not cached.
     */
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        try {
            JsonNode body = send(
                    "POST",
                    "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
                    schemaBody(schema.toString()));
            List<String> messages = new ArrayList<>();
            JsonNode messageNodes = body.get("messages");
            if (messageNodes != null && messageNodes.isArray()) {
                messageNodes.forEach(node -> messages.add(node.asText()));
            }
            // Confluent explains in "messages", Apicurio in "reason"
            JsonNode reason = body.get("reason");
            if (reason != null && reason.isTextual() && !reason.asText().isBlank()) {
                messages.add(reason.asText());
            }
            JsonNode compatible = body.get("is_compatible");
            return new CompatibilityResult(compatible != null && compatible.asBoolean(false), messages);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return new CompatibilityResult(true, List.of("subject " + subject + " has no versions"));
            }
            throw e;
        }
    }

    @Override
    public void close() {
        http.close();
    }

    private static String schemaBody(String schemaText) {
        return JSON.createObjectNode().put("schema", schemaText).toString();
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        IOException lastFailure = null;
        for (URI base : config.urls()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(config.requestTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/vnd.schemaregistry+json, application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                lastFailure = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("interrupted while calling the schema registry", e);
            }
            return answer(method, base + path, response);
        }
        throw new SchemaRegistryUnavailableException(
                "no schema registry answered " + method + " " + path + " at " + config.urls() + ": " + lastFailure,
                lastFailure);
    }

    private static JsonNode answer(String method, String url, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (status / 100 == 2) {
            if (body == null || !body.isObject()) {
                throw new SchemaRegistryException(
                        status, 0, method + " " + url + " answered a body that is not a JSON object");
            }
            return body;
        }
        int errorCode = status;
        String message = "";
        if (body != null && body.isObject()) {
            errorCode = body.path("error_code").asInt(status);
            message = body.path("message").asText("");
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new SchemaRegistryUnavailableException(
                    method + " " + url + " answered HTTP " + status + " error_code " + errorCode + ": " + message,
                    null);
        }
        if (status == 409) {
            // Confluent answers error_code 409, Apicurio 0: one code, and a message that says what happened
            throw new SchemaRegistryException(
                    status,
                    SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    method + " " + url + ": schema is incompatible with the subject's existing versions: " + message);
        }
        throw new SchemaRegistryException(status, errorCode, method + " " + url + ": " + message);
    }

    private static <K, V> V cached(ConcurrentHashMap<K, CompletableFuture<V>> cache, K key, Supplier<V> fetch) {
        CompletableFuture<V> existing = cache.get(key);
        if (existing == null) {
            CompletableFuture<V> mine = new CompletableFuture<>();
            existing = cache.putIfAbsent(key, mine);
            if (existing == null) {
                try {
                    V value = fetch.get();
                    mine.complete(value);
                    return value;
                } catch (RuntimeException e) {
                    cache.remove(key, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
        }
        try {
            return existing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
