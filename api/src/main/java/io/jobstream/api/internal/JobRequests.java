package io.jobstream.api.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.Jobs;
import io.jobstream.runtime.ConfigType;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the API's JSON into {@link Job}s:
 *
 * <pre>{@code
 * {"type": "send_email", "payload": {...any JSON...}, "orderingKey": "customer-42",
 *  "delay": "30s" | "notBefore": "2026-01-01T00:00:00Z", "ttl": "1h" | "expiresAt": "...",
 *  "maxAttempts": 5, "headers": {"tenant": "acme"}, "id": "01J..."}
 * }</pre>
 *
 * Every problem is an {@link ApiProblem} 400 naming the field. Stateless and thread-safe.
 */
public final class JobRequests {
    /**
     * The API's JSON mapper: request bodies read as trees, responses and problem bodies written from trees (job
     * payloads keep the caller's JSON as sent). Thread-safe.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private static final Set<String> FIELDS = Set.of(
            "type",
            "payload",
            "orderingKey",
            "delay",
            "notBefore",
            "ttl",
            "expiresAt",
            "maxAttempts",
            "headers",
            "id",
            "idempotencyKey");

    private JobRequests() {}

    /** The JSON document of a request body. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiProblem.badRequest("MALFORMED_JSON", "the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiProblem.badRequest("MALFORMED_JSON", "the request body is empty; send a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest(
                    "MALFORMED_JSON", "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiProblem.badRequest("MALFORMED_JSON", "the request body could not be read: " + e.getMessage());
        }
    }

    /** The deterministic job id of {@code idempotencyKey} in {@code scope} ({@link IdempotencyScope#idPrefix}). */
    public static String idFor(String scope, String idempotencyKey) {
        return Ulid.fromName(scope + "/" + idempotencyKey);
    }

    /**
     * The job one JSON object describes.
     *
     * @param queue the scope of ids derived from idempotency keys ({@link IdempotencyScope#idPrefix}): the queue, and
     *     the token when auth is on
     * @param node the object
     * @param idempotencyKey the request's {@code Idempotency-Key}, which fixes the id
     */
    public static Job job(String queue, JsonNode node, Optional<String> idempotencyKey) {
        if (!node.isObject()) {
            throw ApiProblem.badRequest("INVALID_JOB", "a job must be a JSON object, got " + node.getNodeType());
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiProblem.badRequest(
                        "INVALID_JOB",
                        "unknown field '" + shown(name) + "'; known fields are " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String type =
                text(node, "type").orElseThrow(() -> ApiProblem.badRequest("MISSING_TYPE", "field 'type' is required"));
        if (type.isBlank()) {
            throw ApiProblem.badRequest("MISSING_TYPE", "field 'type' must not be blank");
        }
        try {
            Jobs.Builder builder = Jobs.builder(type);
            JsonNode payload = node.get("payload");
            if (payload != null) {
                builder.payload(MAPPER.writeValueAsBytes(payload), Jobs.JSON);
            }
            Optional<String> key = idempotencyKey.or(() -> text(node, "idempotencyKey"));
            Optional<String> id = text(node, "id");
            if (key.isPresent() && id.isPresent()) {
                throw ApiProblem.badRequest(
                        "INVALID_JOB", "give either an id or an Idempotency-Key (which sets the id), not both");
            }
            key.ifPresent(k -> builder.id(idFor(queue, k)));
            id.ifPresent(i -> {
                if (i.isBlank()) {
                    throw ApiProblem.badRequest("INVALID_JOB", "field 'id' must not be blank");
                }
                builder.id(i);
            });
            text(node, "orderingKey").ifPresent(builder::orderingKey);
            exclusive(node, "delay", "notBefore");
            text(node, "delay").ifPresent(d -> builder.delay(duration("delay", d)));
            text(node, "notBefore").ifPresent(t -> builder.notBefore(instant("notBefore", t)));
            exclusive(node, "ttl", "expiresAt");
            text(node, "ttl").ifPresent(d -> builder.ttl(duration("ttl", d)));
            text(node, "expiresAt").ifPresent(t -> builder.expiresAt(instant("expiresAt", t)));
            JsonNode attempts = node.get("maxAttempts");
            if (attempts != null && !attempts.isNull()) {
                if (!attempts.canConvertToInt() || !attempts.isIntegralNumber()) {
                    throw ApiProblem.badRequest("INVALID_JOB", "field 'maxAttempts' must be an integer");
                }
                builder.maxAttempts(attempts.intValue());
            }
            JsonNode headers = node.get("headers");
            if (headers != null && !headers.isNull()) {
                if (!headers.isObject()) {
                    throw ApiProblem.badRequest("INVALID_JOB", "field 'headers' must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> header = it.next();
                    if (!header.getValue().isTextual()) {
                        throw ApiProblem.badRequest(
                                "INVALID_JOB", "header '" + shown(header.getKey()) + "' must be a string");
                    }
                    builder.header(header.getKey(), header.getValue().asText());
                }
            }
            return builder.build();
        } catch (JobRejectedException e) {
            throw ApiProblem.badRequest(e.reason().name(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("INVALID_JOB", e.getMessage());
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("MALFORMED_JSON", "the payload cannot be written as JSON: " + e.getMessage());
        }
    }

    private static void exclusive(JsonNode node, String a, String b) {
        if (node.hasNonNull(a) && node.hasNonNull(b)) {
            throw ApiProblem.badRequest("INVALID_JOB", "give either '" + a + "' or '" + b + "', not both");
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw ApiProblem.badRequest("INVALID_JOB", "field '" + field + "' must be a string");
        }
        return Optional.of(value.asText());
    }

    private static Duration duration(String field, String text) {
        Duration duration;
        try {
            duration = ConfigType.DURATION.parse(text);
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest(
                    "BAD_DURATION",
                    "field '" + field + "' must be a duration such as 30s, 5m or 1h, got '" + shown(text) + "'");
        }
        if (duration.compareTo(Duration.between(Instant.now(), Jobs.LATEST_TIME)) > 0) {
            throw ApiProblem.badRequest(
                    "BAD_DURATION", "field '" + field + "' reaches past " + Jobs.LATEST_TIME + ", got '" + text + "'");
        }
        return duration;
    }

    private static Instant instant(String field, String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(
                    "BAD_TIMESTAMP",
                    "field '" + field + "' must be an ISO-8601 time with offset such as 2026-01-01T09:00:00Z, got '"
                            + shown(text) + "'");
        }
        if (!Jobs.isRepresentable(instant)) {
            throw ApiProblem.badRequest(
                    "BAD_TIMESTAMP",
                    "field '" + field + "' must lie between " + Jobs.EARLIEST_TIME + " and " + Jobs.LATEST_TIME
                            + ", got '" + text + "'");
        }
        return instant;
    }

    /** {@code text} as an error message may quote it: at most 64 characters, control characters escaped. */
    public static String shown(String text) {
        String head = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        StringBuilder out = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
