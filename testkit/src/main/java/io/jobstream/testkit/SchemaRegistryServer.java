package io.jobstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;

/**
 * A Confluent-compatible Schema Registry in this JVM (Confluent's own is not on Maven Central and needs Docker here),
 * following its REST API reference for the calls Jobstream makes:
 * {@code POST /subjects/{subject}/versions}, {@code GET /schemas/ids/{id}}, {@code POST
 * /compatibility/subjects/{subject}/versions/latest}, with {@code {"error_code":..,"message":..}} error bodies and
 * BACKWARD compatibility. Counts every request; optionally requires HTTP basic auth.
 *
 * <p>For tests and benchmarks only: state is in memory and lost on {@link #close()}. The docker-compose stack runs
 * the real registry.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<Long, Integer> idsByFingerprint = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();
    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final String requiredAuthorization;
    private int nextId = 1;
    private volatile boolean unavailable;
    private final AtomicInteger unavailableRequests = new AtomicInteger();

    private SchemaRegistryServer(String requiredUserInfo) throws IOException {
        this.requiredAuthorization = requiredUserInfo == null
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(requiredUserInfo.getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a registry on a free loopback port. */
    public static SchemaRegistryServer start() {
        return startWith(null);
    }

    /** Starts a registry that answers 401 unless a request carries HTTP basic auth for {@code userInfo}. */
    public static SchemaRegistryServer startRequiringBasicAuth(String userInfo) {
        return startWith(userInfo);
    }

    private static SchemaRegistryServer startWith(String userInfo) {
        try {
            return new SchemaRegistryServer(userInfo);
        } catch (IOException e) {
            throw new TestkitException("could not start the in-process schema registry: " + e.getMessage(), e);
        }
    }

    /** The registry's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests seen for {@code "METHOD /path"} (path without query). */
    public int requests(String methodAndPath) {
        AtomicInteger count = requestCounts.get(methodAndPath);
        return count == null ? 0 : count.get();
    }

    /** Every request seen. */
    public int totalRequests() {
        return requestCounts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /**
     * While {@code true}, every request is answered {@code 503} (error code 50003), as a registry behind a load
     * balancer answers while its backend is down; state is kept for when it comes back.
     */
    public void unavailable(boolean down) {
        this.unavailable = down;
    }

    /** Answers the next {@code requests} requests {@code 503}, as a registry that is briefly overloaded, then serves. */
    public void unavailableFor(int requests) {
        unavailableRequests.set(requests);
    }

    /** The Authorization header of every request that had one. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** The Content-Type of every request that had a body. */
    public List<String> contentTypes() {
        return List.copyOf(contentTypes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requestCounts
                    .computeIfAbsent(method + " " + path, k -> new AtomicInteger())
                    .incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                contentTypes.add(contentType);
            }
            if (unavailable || unavailableRequests.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                respond(exchange, 503, error(50003, "Service Unavailable"));
                return;
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                respond(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            Matcher m;
            if (method.equals("POST") && (m = REGISTER.matcher(path)).matches()) {
                register(exchange, decode(m.group(1)));
            } else if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
                byId(exchange, Integer.parseInt(m.group(1)));
            } else if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
                compatibility(exchange, decode(m.group(1)));
            } else {
                respond(exchange, 404, error(404, "HTTP 404 Not Found"));
            }
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private Schema requestSchema(HttpExchange exchange) throws IOException {
        JsonNode body = json.readTree(exchange.getRequestBody());
        JsonNode schema = body == null ? null : body.get("schema");
        if (schema == null || !schema.isTextual()) {
            return null;
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void register(HttpExchange exchange, String subject) throws IOException {
        Schema schema = requestSchema(exchange);
        if (schema == null) {
            respond(exchange, 422, error(42201, "Invalid schema"));
            return;
        }
        int id;
        synchronized (this) {
            List<Integer> versions = subjects.computeIfAbsent(subject, k -> new ArrayList<>());
            long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
            Integer existing = idsByFingerprint.get(fingerprint);
            if (existing != null && versions.contains(existing)) {
                id = existing;
            } else {
                if (!versions.isEmpty() && !backwardCompatible(schema, latest(versions))) {
                    respond(
                            exchange,
                            409,
                            error(409, "Schema being registered is incompatible with an earlier schema"));
                    return;
                }
                id = existing != null ? existing : nextId++;
                idsByFingerprint.put(fingerprint, id);
                schemasById.put(id, schema.toString());
                versions.add(id);
            }
        }
        ObjectNode answer = json.createObjectNode().put("id", id);
        respond(exchange, 200, answer);
    }

    private void byId(HttpExchange exchange, int id) throws IOException {
        String schema;
        synchronized (this) {
            schema = schemasById.get(id);
        }
        if (schema == null) {
            respond(exchange, 404, error(40403, "Schema " + id + " not found"));
            return;
        }
        respond(exchange, 200, json.createObjectNode().put("schema", schema));
    }

    private void compatibility(HttpExchange exchange, String subject) throws IOException {
        Schema schema = requestSchema(exchange);
        if (schema == null) {
            respond(exchange, 422, error(42201, "Invalid schema"));
            return;
        }
        Schema latest;
        synchronized (this) {
            List<Integer> versions = subjects.get(subject);
            if (versions == null || versions.isEmpty()) {
                respond(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
                return;
            }
            latest = latest(versions);
        }
        boolean compatible = backwardCompatible(schema, latest);
        ObjectNode answer = json.createObjectNode().put("is_compatible", compatible);
        if (!compatible) {
            answer.putArray("messages").add("reader cannot read the latest version");
        }
        respond(exchange, 200, answer);
    }

    private Schema latest(List<Integer> versions) {
        return new Schema.Parser().parse(schemasById.get(versions.get(versions.size() - 1)));
    }

    private static boolean backwardCompatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                        .getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private ObjectNode error(int code, String message) {
        return json.createObjectNode().put("error_code", code).put("message", message);
    }

    private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
