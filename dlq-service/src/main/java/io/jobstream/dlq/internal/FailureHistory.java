package io.jobstream.dlq.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's earlier failures, carried from attempt to attempt in the job's own {@link Job#getHeaders() headers map}
 * under {@link #HEADER}, as compact JSON: {@code [{"r":"HANDLER_ERROR","m":"boom","at":1700000000000}, ...]}, oldest
 * first.
 *
 * <p>The map inside the {@link Job} (not a Kafka record header) is used because it travels inside every {@link
 * JobFailure} the processor writes, whatever the processor does with record headers. The list keeps the last
 * {@code limit} failures and each message at most {@link #MAX_MESSAGE} characters, so a job's size stays bounded.
 * A malformed value reads as an empty history. Stateless and thread-safe.
 */
public final class FailureHistory {
    /** The key in {@link Job#getHeaders()}. */
    public static final String HEADER = "jobstream.failure-history";

    /** The longest message kept per failure, in characters. */
    public static final int MAX_MESSAGE = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private FailureHistory() {}

    /** The failures recorded in {@code job}, oldest first; empty when none or malformed. */
    public static List<FailureRecord> of(Job job) {
        String text = job.getHeaders().get(HEADER);
        if (text == null || text.isBlank()) {
            return List.of();
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (!root.isArray()) {
                return List.of();
            }
            List<FailureRecord> out = new ArrayList<>();
            for (JsonNode entry : root) {
                out.add(FailureRecord.newBuilder()
                        .setReason(reason(entry.path("r").asText()))
                        .setMessage(entry.path("m").asText(""))
                        .setAt(Instant.ofEpochMilli(entry.path("at").asLong(0)))
                        .build());
            }
            return out;
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    /** The record of {@code failure}, its message shortened to {@link #MAX_MESSAGE}. */
    public static FailureRecord recordOf(JobFailure failure) {
        return FailureRecord.newBuilder()
                .setReason(failure.getReason())
                .setMessage(shorten(failure.getMessage()))
                .setAt(failure.getFailedAt())
                .build();
    }

    /** {@code job}'s history with {@code failure} appended, keeping the last {@code limit} entries. */
    public static List<FailureRecord> appended(Job job, JobFailure failure, int limit) {
        List<FailureRecord> all = new ArrayList<>(of(job));
        all.add(recordOf(failure));
        return all.size() <= limit ? all : List.copyOf(all.subList(all.size() - limit, all.size()));
    }

    /** A copy of {@code headers} with the history set to {@code history}. */
    public static Map<String, String> withHistory(Map<String, String> headers, List<FailureRecord> history) {
        ArrayNode array = JSON.createArrayNode();
        for (FailureRecord record : history) {
            ObjectNode entry = array.addObject();
            entry.put("r", record.getReason().name());
            entry.put("m", record.getMessage());
            entry.put("at", record.getAt().toEpochMilli());
        }
        Map<String, String> out = new HashMap<>(headers);
        out.put(HEADER, array.toString());
        return out;
    }

    /** A copy of {@code headers} without the history. */
    public static Map<String, String> withoutHistory(Map<String, String> headers) {
        Map<String, String> out = new HashMap<>(headers);
        out.remove(HEADER);
        return out;
    }

    private static FailureReason reason(String name) {
        try {
            return FailureReason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return FailureReason.HANDLER_ERROR;
        }
    }

    private static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE);
    }
}
