package io.jobstream.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.SerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter routes of the dlq-service's admin server, one {@link HttpHandler} mounted at {@value #PREFIX}:
 *
 * <ul>
 *   <li>{@code GET /v1/queues/{q}/dlq?type=&reason=&errorContains=&since=&until=&id=&limit=} → a JSON array of dead
 *       letters ({@link #entryJson(DeadLetterEntry)});
 *   <li>{@code GET /v1/queues/{q}/dlq/{partition}/{offset}} → one dead letter, or 404;
 *   <li>{@code POST /v1/queues/{q}/dlq:replay} with a JSON body {@code {"type", "reason", "errorContains", "since",
 *       "until", "ids": [], "limit", "rate", "toQueue", "dryRun", "force"}} (all optional) → the {@link
 *       ReplaySummary} as JSON ({@link #summaryJson(ReplaySummary)}).
 * </ul>
 *
 * Bad input answers 400 with {@code {"error": "..."}}. Each request uses its own {@link DlqReplay}, so requests may
 * run concurrently (two replays of one queue fence each other's transactions; see {@link DlqReplay}).
 */
public final class DlqAdminRoutes implements HttpHandler {
    /** Where the handler is mounted. */
    public static final String PREFIX = "/v1/queues/";

    private static final Logger LOG = LoggerFactory.getLogger(DlqAdminRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaSettings kafka;
    private final SerdeConfig serdes;
    private final Clock clock;

    public DlqAdminRoutes(KafkaSettings kafka, SerdeConfig serdes, Clock clock) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Path → handler, to mount on an admin server (e.g. {@code AdminServer.route(path, handler)}). */
    public Map<String, HttpHandler> routes() {
        return Map.of(PREFIX, this);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
            String[] parts = rest.split("/");
            try {
                if (parts.length == 2 && parts[1].equals("dlq")) {
                    if (!method.equals("GET")) {
                        respond(exchange, 405, error("use GET"));
                        return;
                    }
                    respond(
                            exchange,
                            200,
                            list(parts[0], query(exchange.getRequestURI().getRawQuery())));
                } else if (parts.length == 4 && parts[1].equals("dlq")) {
                    if (!method.equals("GET")) {
                        respond(exchange, 405, error("use GET"));
                        return;
                    }
                    show(exchange, parts[0], Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
                } else if (parts.length == 2 && parts[1].equals("dlq:replay")) {
                    if (!method.equals("POST")) {
                        respond(exchange, 405, error("use POST"));
                        return;
                    }
                    respond(exchange, 200, replay(parts[0], exchange.getRequestBody()));
                } else {
                    respond(exchange, 404, error("no route " + method + " " + path));
                }
            } catch (IllegalArgumentException | DateTimeParseException | IOException e) {
                respond(exchange, 400, error(e.getMessage()));
            } catch (RuntimeException e) {
                // The detail (exception text, brokers, topics) stays in the log; the path is the client's, so encoded.
                LOG.error(
                        "dlq admin request failed: {} {}", method, path.replaceAll("[\\p{Cntrl}\u2028\u2029]", "?"), e);
                respond(exchange, 500, error("the request failed on the server; the cause is logged"));
            }
        }
    }

    private JsonNode list(String queue, Map<String, List<String>> query) {
        ReplayFilter filter = new ReplayFilter(
                queue,
                first(query, "type"),
                first(query, "reason"),
                first(query, "errorContains"),
                first(query, "since").map(Instant::parse),
                first(query, "until").map(Instant::parse),
                Set.copyOf(query.getOrDefault("id", List.of())),
                first(query, "limit")
                        .map(l -> OptionalInt.of(Integer.parseInt(l)))
                        .orElse(OptionalInt.empty()));
        ArrayNode out = JSON.createArrayNode();
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock)) {
            replay.list(filter).forEach(e -> out.add(entryJson(e)));
        }
        return out;
    }

    private void show(HttpExchange exchange, String queue, int partition, long offset) throws IOException {
        Optional<DeadLetterEntry> entry;
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock)) {
            entry = replay.show(queue, partition, offset);
        }
        if (entry.isPresent()) {
            respond(exchange, 200, entryJson(entry.get()));
        } else {
            respond(exchange, 404, error("no dead letter at " + partition + "/" + offset));
        }
    }

    private JsonNode replay(String queue, InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        JsonNode json = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        if (!json.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        Set<String> ids = new HashSet<>();
        json.path("ids").forEach(id -> ids.add(id.asText()));
        ReplayFilter filter = new ReplayFilter(
                queue,
                text(json, "type"),
                text(json, "reason"),
                text(json, "errorContains"),
                text(json, "since").map(Instant::parse),
                text(json, "until").map(Instant::parse),
                ids,
                json.hasNonNull("limit") ? OptionalInt.of(json.get("limit").asInt()) : OptionalInt.empty());
        ReplayRequest request = new ReplayRequest(
                filter,
                text(json, "toQueue"),
                json.hasNonNull("rate") ? OptionalDouble.of(json.get("rate").asDouble()) : OptionalDouble.empty(),
                json.path("dryRun").asBoolean(false),
                json.path("force").asBoolean(false));
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock)) {
            return summaryJson(replay.replay(request));
        }
    }

    /** A dead letter as JSON (also what {@code jobstream dlq list --json} prints per line). */
    public static ObjectNode entryJson(DeadLetterEntry e) {
        ObjectNode node = JSON.createObjectNode()
                .put("topic", e.topic())
                .put("partition", e.partition())
                .put("offset", e.offset())
                .put("jobId", e.jobId())
                .put("type", e.type())
                .put("reason", e.reason())
                .put("errorClass", e.errorClass())
                .put("errorMessage", e.errorMessage())
                .put("attempt", e.attempt())
                .put("deadAt", e.deadAt().toString())
                .put("replayed", e.replayed());
        ArrayNode history = node.putArray("history");
        for (FailureRecord f : e.letter().getHistory()) {
            history.addObject()
                    .put("reason", f.getReason().name())
                    .put("message", f.getMessage())
                    .put("at", f.getAt().toString());
        }
        return node;
    }

    /** A replay summary as JSON. */
    public static ObjectNode summaryJson(ReplaySummary s) {
        ObjectNode node = JSON.createObjectNode()
                .put("matched", s.matched())
                .put("replayed", s.replayed())
                .put("skipped", s.skipped())
                .put("alreadyReplayed", s.alreadyReplayed());
        ArrayNode items = node.putArray("items");
        for (ReplayItem item : s.items()) {
            items.addObject()
                    .put("address", item.entry().address())
                    .put("jobId", item.entry().jobId())
                    .put("type", item.entry().type())
                    .put("reason", item.entry().reason())
                    .put("outcome", item.outcome().name());
        }
        return node;
    }

    private static Optional<String> text(JsonNode json, String field) {
        return json.hasNonNull(field) ? Optional.of(json.get(field).asText()) : Optional.empty();
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        return Optional.ofNullable(query.get(name)).flatMap(v -> v.stream().findFirst());
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!value.isEmpty()) {
                out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return out;
    }

    private static JsonNode error(String message) {
        return JSON.createObjectNode().put("error", String.valueOf(message));
    }

    private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
