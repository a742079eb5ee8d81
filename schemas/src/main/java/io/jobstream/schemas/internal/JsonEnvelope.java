package io.jobstream.schemas.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecodeException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decodes the JSON envelope, the human-writable way to publish a {@link Job}:
 *
 * <pre>{@code {"type": "send_email", "payload": {...any JSON...}, "id"?: "...", "orderingKey"?: "...",
 *  "maxAttempts"?: 5, "headers"?: {"k": "v"}, "notBefore"?: "2026-01-01T00:00:00Z", "expiresAt"?: 1767225600000,
 *  "traceParent"?: "00-..."}}</pre>
 *
 * <p>The payload is re-serialized as compact UTF-8 JSON with content type {@value #CONTENT_TYPE}. Times are
 * ISO-8601 instants/offset date-times or epoch milliseconds, truncated to milliseconds. Unknown fields are rejected
 * (a typo should not silently drop a setting). Thread-safe. Throws only {@link JobDecodeException}.
 */
public final class JsonEnvelope {
    /** The content type of a payload that came in a JSON envelope. */
    public static final String CONTENT_TYPE = "application/json";

    private static final Set<String> FIELDS = Set.of(
            "type", "payload", "id", "orderingKey", "maxAttempts", "headers", "notBefore", "expiresAt", "traceParent");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonEnvelope() {}

    /** Whether {@code first} can start a JSON envelope: {@code {} or JSON whitespace. */
    public static boolean startsJson(byte first) {
        return first == '{' || first == ' ' || first == '\t' || first == '\n' || first == '\r';
    }

    /**
     * Decodes an envelope.
     *
     * @param data the record value
     * @param idIfAbsent the job id to use when the envelope has none
     * @param createdAt the job's creation time (the envelope cannot set it)
     * @param traceParentIfAbsent the trace parent to use when the envelope has none, or null
     */
    public static Job decode(byte[] data, Supplier<String> idIfAbsent, Instant createdAt, String traceParentIfAbsent) {
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (JsonEOFException e) {
            throw new JobDecodeException(Reason.TRUNCATED, "JSON envelope ends early: " + e.getOriginalMessage(), e);
        } catch (StreamReadException e) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD, "JSON envelope is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "JSON envelope cannot be read: " + e, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new JobDecodeException(Reason.EMPTY, "JSON envelope has only whitespace");
        }
        if (!root.isObject()) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD, "JSON envelope must be an object, got " + root.getNodeType());
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new JobDecodeException(
                        Reason.INVALID_FIELD, "JSON envelope has unknown field '" + field + "'; known: " + FIELDS);
            }
        }
        String type = requiredText(root, "type");
        JsonNode payload = root.get("payload");
        if (payload == null) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "JSON envelope has no 'payload'");
        }
        byte[] payloadBytes;
        try {
            payloadBytes = JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "JSON envelope payload cannot be written: " + e, e);
        }
        String id = optionalText(root, "id");
        String traceParent = optionalText(root, "traceParent");
        try {
            return Job.newBuilder()
                    .setId(id != null ? id : idIfAbsent.get())
                    .setType(type)
                    .setPayload(ByteBuffer.wrap(payloadBytes))
                    .setContentType(CONTENT_TYPE)
                    .setOrderingKey(optionalText(root, "orderingKey"))
                    .setAttempt(1)
                    .setMaxAttempts(maxAttempts(root))
                    .setCreatedAt(createdAt.truncatedTo(ChronoUnit.MILLIS))
                    .setNotBefore(optionalInstant(root, "notBefore"))
                    .setExpiresAt(optionalInstant(root, "expiresAt"))
                    .setHeaders(headers(root))
                    .setTraceParent(traceParent != null ? traceParent : traceParentIfAbsent)
                    .build();
        } catch (JobDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "JSON envelope does not make a valid Job: " + e, e);
        }
    }

    private static String requiredText(JsonNode root, String field) {
        String value = optionalText(root, field);
        if (value == null || value.isBlank()) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD, "JSON envelope needs a non-blank string '" + field + "'");
        }
        return value;
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD,
                    "JSON envelope field '" + field + "' must be a string, got " + node.getNodeType());
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw new JobDecodeException(Reason.INVALID_FIELD, "JSON envelope field '" + field + "' is blank");
        }
        return value;
    }

    private static Integer maxAttempts(JsonNode root) {
        JsonNode node = root.get("maxAttempts");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD, "JSON envelope field 'maxAttempts' must be an integer >= 1, got " + node);
        }
        return node.intValue();
    }

    private static Map<String, String> headers(JsonNode root) {
        JsonNode node = root.get("headers");
        Map<String, String> headers = new HashMap<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            throw new JobDecodeException(
                    Reason.INVALID_FIELD, "JSON envelope field 'headers' must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new JobDecodeException(
                        Reason.INVALID_FIELD,
                        "JSON envelope header '" + entry.getKey() + "' must be a string, got "
                                + entry.getValue().getNodeType());
            }
            headers.put(entry.getKey(), entry.getValue().textValue());
        }
        return headers;
    }

    private static Instant optionalInstant(JsonNode root, String field) {
        Instant instant = parseInstant(root, field);
        if (instant != null) {
            try {
                instant.toEpochMilli();
            } catch (ArithmeticException e) {
                throw new JobDecodeException(
                        Reason.INVALID_FIELD, "JSON envelope field '" + field + "' is out of range: " + instant, e);
            }
        }
        return instant;
    }

    private static Instant parseInstant(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().strip();
            try {
                return Instant.parse(text).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
                } catch (DateTimeParseException e) {
                    throw new JobDecodeException(
                            Reason.INVALID_FIELD,
                            "JSON envelope field '" + field + "' is not an ISO-8601 time: " + text,
                            e);
                }
            }
        }
        throw new JobDecodeException(
                Reason.INVALID_FIELD,
                "JSON envelope field '" + field + "' must be an ISO-8601 string or epoch milliseconds, got " + node);
    }
}
