package io.jobstream.producer.internal;

import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.runtime.JobIds;
import io.jobstream.schemas.Job;
import java.time.Instant;
import java.util.Map;

/**
 * The checks a job passes before it is sent; each failure is a {@link JobRejectedException} with its reason, and a
 * field that breaks a rule is named in the message (never echoed whole: it may be a megabyte).
 *
 * <p>Charset and length rules: the id, type, header names and trace parent are 1 to {@link #MAX_NAME_LENGTH} visible
 * ASCII characters ({@code !} to {@code ~}: no space, no control character, so none can forge a log line); the
 * ordering key is at most {@link #MAX_ORDERING_KEY_LENGTH} characters and header values at most {@link
 * #MAX_HEADER_VALUE_LENGTH}, both free of control characters (a tab is allowed in a header value); a job has at most
 * {@link #MAX_HEADERS} headers; its times lie between {@link #EARLIEST_TIME} and {@link #LATEST_TIME} (the wire keeps
 * epoch milliseconds).
 */
public final class JobChecks {
    /** The longest id, type, header name or trace parent, in characters. */
    public static final int MAX_NAME_LENGTH = 128;
    /** The longest ordering key, in characters. */
    public static final int MAX_ORDERING_KEY_LENGTH = 256;
    /** The longest header value, in characters. */
    public static final int MAX_HEADER_VALUE_LENGTH = 8 * 1024;
    /** The most headers one job has. */
    public static final int MAX_HEADERS = 64;
    /** The earliest time a job may carry. */
    public static final Instant EARLIEST_TIME = Instant.EPOCH;
    /** The latest time a job may carry. */
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private JobChecks() {}

    /**
     * Checks what a job must satisfy on its own: a type, an id ({@link JobIds}), attempts from 1, expiry after due time, and the
     * charset and length of every text field.
     */
    public static void checkIntrinsic(Job job) {
        if (job.getType() == null || job.getType().isBlank()) {
            throw new JobRejectedException(Reason.EMPTY_TYPE, "a job needs a non-blank type (it selects the handler)");
        }
        String idProblem = JobIds.problem(job.getId()).orElse(null);
        if (idProblem != null) {
            throw new JobRejectedException(Reason.INVALID_JOB_ID, idProblem);
        }
        checkName("type", job.getType());
        checkName("id", job.getId());
        String orderingKey = job.getOrderingKey().orElse(null);
        if (orderingKey != null) {
            checkText("field 'orderingKey'", orderingKey, MAX_ORDERING_KEY_LENGTH, false);
        }
        String traceParent = job.getTraceParent().orElse(null);
        if (traceParent != null) {
            checkName("traceParent", traceParent);
        }
        if (job.getContentType() != null) {
            checkText("field 'contentType'", job.getContentType(), MAX_NAME_LENGTH, false);
        }
        checkTime("createdAt", job.getCreatedAt());
        checkTime("notBefore", job.getNotBefore().orElse(null));
        checkTime("expiresAt", job.getExpiresAt().orElse(null));
        if (job.getAttempt() < 1) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "attempt must be at least 1, got " + job.getAttempt() + " (job " + job.getId() + ")");
        }
        // No capturing lambdas (each is an allocation): this runs once or twice per published job.
        Integer max = job.getMaxAttempts().orElse(null);
        if (max != null && max < 1) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB, "maxAttempts must be at least 1, got " + max + " (job " + job.getId() + ")");
        }
        Map<String, String> headers = job.getHeaders();
        if (headers == null) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB, "headers must be a map, not null; use an empty one (job " + job.getId() + ")");
        }
        if (!headers.isEmpty()) {
            checkHeaders(job, headers);
        }
        Instant expiresAt = job.getExpiresAt().orElse(null);
        Instant notBefore = job.getNotBefore().orElse(null);
        if (expiresAt != null && notBefore != null && !expiresAt.isAfter(notBefore)) {
            throw new JobRejectedException(
                    Reason.EXPIRES_BEFORE_DUE,
                    "job " + job.getId() + " expires at " + expiresAt + ", not after it is due at " + notBefore
                            + ", so it could never run");
        }
    }

    private static void checkHeaders(Job job, Map<String, String> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "field 'headers' holds " + headers.size() + " headers; at most " + MAX_HEADERS + " (job "
                            + job.getId() + ")");
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() == null || header.getKey().isBlank() || header.getValue() == null) {
                throw new JobRejectedException(
                        Reason.INVALID_JOB,
                        "header names must be non-blank and values non-null (job " + job.getId() + ")");
            }
            String name = header.getKey();
            if (name.length() > MAX_NAME_LENGTH || !visibleAscii(name)) {
                throw new JobRejectedException(
                        Reason.INVALID_JOB,
                        "a header name is " + name.length() + " characters; header names must be 1 to "
                                + MAX_NAME_LENGTH + " visible ASCII characters (no space or control character)");
            }
            checkText("header '" + name + "'", header.getValue(), MAX_HEADER_VALUE_LENGTH, true);
        }
    }

    /** Checks that {@code value} of field {@code field} is 1 to 128 visible ASCII characters. */
    private static void checkName(String field, String value) {
        if (value.length() > MAX_NAME_LENGTH) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "field '" + field + "' is " + value.length() + " characters; at most " + MAX_NAME_LENGTH);
        }
        if (!visibleAscii(value)) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "field '" + field + "' must be visible ASCII characters ('!' to '~'): no space, control"
                            + " character or non-ASCII letter");
        }
    }

    private static void checkText(String what, String value, int maxLength, boolean tabAllowed) {
        if (value.length() > maxLength) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB, what + " is " + value.length() + " characters; at most " + maxLength);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && !(tabAllowed && c == '\t') || c == '\u2028' || c == '\u2029') {
                throw new JobRejectedException(
                        Reason.INVALID_JOB,
                        what + " holds a control character (U+" + String.format("%04X", (int) c) + ") at index " + i);
            }
        }
    }

    private static boolean visibleAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static void checkTime(String field, Instant time) {
        if (time != null && (time.isBefore(EARLIEST_TIME) || time.isAfter(LATEST_TIME))) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "field '" + field + "' must lie between " + EARLIEST_TIME + " and " + LATEST_TIME + ", got "
                            + time);
        }
    }

    /** Whether {@code time} lies between {@link #EARLIEST_TIME} and {@link #LATEST_TIME}. */
    public static boolean isRepresentable(Instant time) {
        return !time.isBefore(EARLIEST_TIME) && !time.isAfter(LATEST_TIME);
    }

    /** {@link #checkIntrinsic} plus the payload limit and expiry at {@code now}. */
    public static void checkForPublish(Job job, long maxPayloadSize, Instant now) {
        checkIntrinsic(job);
        int size = job.getPayload() == null ? 0 : job.getPayload().remaining();
        if (size > maxPayloadSize) {
            throw new JobRejectedException(
                    Reason.PAYLOAD_TOO_LARGE,
                    "payload of job " + job.getId() + " is " + size + " bytes, over the limit of " + maxPayloadSize
                            + " bytes (jobstream.publisher.max-payload-size)");
        }
        Instant expiresAt = job.getExpiresAt().orElse(null);
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new JobRejectedException(
                    Reason.ALREADY_EXPIRED, "job " + job.getId() + " expired at " + expiresAt + " (now " + now + ")");
        }
    }
}
