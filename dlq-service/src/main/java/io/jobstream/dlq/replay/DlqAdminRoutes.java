package io.jobstream.dlq.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpProblem;
import io.jobstream.runtime.http.HttpRequest;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import io.jobstream.runtime.http.Scope;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.SerdeConfig;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The dead-letter routes of the dlq-service's admin server, as endpoints of the runtime's HTTP seam:
 *
 * <ul>
 *   <li>{@code GET /v1/queues/{q}/dlq?type=&reason=&errorContains=&since=&until=&id=&limit=} → a JSON array of dead
 *       letters ({@link #entryJson(DeadLetterEntry)}), at most {@value #MAX_LIST_LIMIT} (the default);
 *   <li>{@code GET /v1/queues/{q}/dlq/{partition}/{offset}} → one dead letter, or 404;
 *   <li>{@code POST /v1/queues/{q}/dlq:replay} with a JSON body {@code {"type", "reason", "errorContains", "since",
 *       "until", "ids": [], "limit", "rate", "toQueue", "dryRun", "force"}} (all optional; {@code limit} at most
 *       {@value #MAX_REPLAY_LIMIT}, the default) → the {@link ReplaySummary} as JSON ({@link
 *       #summaryJson(ReplaySummary)}).
 * </ul>
 *
 * The seam requires a bearer token with {@code dlq:read} (the GETs) or {@code dlq:replay} (the replay, which also
 * needs it for {@code toQueue}) for the queue, {@code Content-Type: application/json} on the replay (415 otherwise:
 * no cross-site form can replay) and a body within {@code jobstream.runtime.http.max-body-size}. Bad input answers 400
 * with the one problem body. Each request uses its own {@link DlqReplay}, so requests may run concurrently (two
 * replays of one queue fence each other's transactions; see {@link DlqReplay}).
 */
public final class DlqAdminRoutes {
    /** The most dead letters one list request returns, and its default. */
    public static final int MAX_LIST_LIMIT = 1000;

    /** The most dead letters one replay request replays, and its default. */
    public static final int MAX_REPLAY_LIMIT = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaSettings kafka;
    private final SerdeConfig serdes;
    private final Clock clock;
    private final OpenTelemetry openTelemetry;

    public DlqAdminRoutes(KafkaSettings kafka, SerdeConfig serdes, Clock clock) {
        this(kafka, serdes, clock, Tracing.global());
    }

    /** Routes whose replays are traced with {@code openTelemetry} ({@link DlqReplay}). */
    public DlqAdminRoutes(KafkaSettings kafka, SerdeConfig serdes, Clock clock, OpenTelemetry openTelemetry) {
        this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The three endpoints, to mount on an admin server ({@code AdminServer.route(endpoint)}). */
    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.get("/v1/queues/{queue}/dlq").scope(Scope.DLQ_READ).to(badInput(this::list)),
                Endpoint.get("/v1/queues/{queue}/dlq/{partition}/{offset}")
                        .scope(Scope.DLQ_READ)
                        .to(badInput(this::show)),
                Endpoint.post("/v1/queues/{queue}/dlq:replay")
                        .scope(Scope.DLQ_REPLAY)
                        .to(badInput(this::replay)));
    }

    /** Bad input (a filter that does not parse or validate) is a 400 naming it. */
    private static Route badInput(Route route) {
        return request -> {
            try {
                return route.handle(request);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw HttpProblem.badRequest("BAD_REQUEST", String.valueOf(e.getMessage()));
            }
        };
    }

    private HttpResponse list(HttpRequest request) {
        Map<String, List<String>> query = request.queryParams();
        ReplayFilter filter = new ReplayFilter(
                request.pathParam("queue"),
                first(query, "type"),
                first(query, "reason"),
                first(query, "errorContains"),
                first(query, "since").map(Instant::parse),
                first(query, "until").map(Instant::parse),
                Set.copyOf(query.getOrDefault("id", List.of())),
                OptionalInt.of(limit(first(query, "limit"), MAX_LIST_LIMIT)));
        ArrayNode out = JSON.createArrayNode();
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock, openTelemetry)) {
            replay.list(filter).forEach(e -> out.add(entryJson(e)));
        }
        return HttpResponse.json(200, out);
    }

    private HttpResponse show(HttpRequest request) {
        int partition = Integer.parseInt(request.pathParam("partition"));
        long offset = Long.parseLong(request.pathParam("offset"));
        Optional<DeadLetterEntry> entry;
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock, openTelemetry)) {
            entry = replay.show(request.pathParam("queue"), partition, offset);
        }
        return entry.map(e -> HttpResponse.json(200, entryJson(e)))
                .orElseThrow(() -> HttpProblem.notFound("no dead letter at " + partition + "/" + offset));
    }

    private HttpResponse replay(HttpRequest request) {
        String queue = request.pathParam("queue");
        byte[] bytes = request.body();
        JsonNode json;
        try {
            json = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            throw HttpProblem.badRequest("MALFORMED_JSON", "the body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
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
                OptionalInt.of(limit(text(json, "limit"), MAX_REPLAY_LIMIT)));
        Optional<String> toQueue = text(json, "toQueue");
        toQueue.ifPresent(target -> request.principal().require(Scope.DLQ_REPLAY, target));
        ReplayRequest replayRequest = new ReplayRequest(
                filter,
                toQueue,
                json.hasNonNull("rate") ? OptionalDouble.of(json.get("rate").asDouble()) : OptionalDouble.empty(),
                json.path("dryRun").asBoolean(false),
                json.path("force").asBoolean(false));
        try (DlqReplay replay = DlqReplay.create(kafka, serdes, clock, openTelemetry)) {
            return HttpResponse.json(200, summaryJson(replay.replay(replayRequest)));
        }
    }

    /** {@code raw} as a limit from 1 to {@code max}; {@code max} when absent. */
    private static int limit(Optional<String> raw, int max) {
        if (raw.isEmpty()) {
            return max;
        }
        long limit;
        try {
            limit = Long.parseLong(raw.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be a whole number from 1 to " + max);
        }
        if (limit < 1 || limit > max) {
            throw new IllegalArgumentException("limit must be from 1 to " + max + ", got " + limit);
        }
        return (int) limit;
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
}
