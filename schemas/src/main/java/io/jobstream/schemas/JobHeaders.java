package io.jobstream.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record header names Jobstream reads and writes, and the encoding of their values.
 *
 * <p>Jobstream's own headers are {@code jobstream.<name>} with UTF-8 text values; times are epoch milliseconds as
 * decimal text. Dead-letter records also carry the {@code kafka_dlt-*} headers Spring Kafka writes, encoded as
 * Spring does (strings UTF-8, partition a 4-byte big-endian int, offset and timestamp 8-byte big-endian longs), so
 * existing Kafka UIs and Spring consumers understand them.
 */
public final class JobHeaders {
    /** When a delayed record is due: epoch milliseconds as decimal text. */
    public static final String DUE_AT = "jobstream.due-at";
    /** On a replayed job: the dead letter it came from, as {@code <topic>/<partition>/<offset>}. */
    public static final String REPLAYED_FROM = "jobstream.replayed-from";
    /** The media type of the job's payload, mirrored from {@link Job#getContentType()} for tools that see only headers. */
    public static final String CONTENT_TYPE = "jobstream.content-type";
    /** The job's id, mirrored for tools that see only headers. */
    public static final String JOB_ID = "jobstream.job-id";
    /** The job's type, mirrored for tools that see only headers. */
    public static final String JOB_TYPE = "jobstream.job-type";
    /** The job's attempt number as decimal text. */
    public static final String ATTEMPT = "jobstream.attempt";
    /**
     * On a record the worker could not decode because the schema registry was unavailable: how many times it has been
     * tried, as decimal text. The worker copies it (plus one) onto the {@code REGISTRY_UNAVAILABLE} failure; the router
     * retries the raw bytes until the retry policy's attempts are spent (the job's own attempt is not used: the job was
     * never read).
     */
    public static final String DECODE_ATTEMPT = "jobstream.decode-attempt";
    /** On failure and dead-letter records: the {@link FailureReason} name. */
    public static final String FAILURE_REASON = "jobstream.failure-reason";
    /** On a delay-tier record: the topic the job returns to when due. */
    public static final String TARGET_TOPIC = "jobstream.target-topic";
    /**
     * On a failure or dead-letter record that was too large to write whole: the record it stands for, as {@code
     * <topic>/<partition>/<offset>}; its payload, raw bytes and long texts were left out ({@link Trimming}).
     */
    public static final String TRIMMED = "jobstream.trimmed";
    /** W3C trace-context header, read when a JSON envelope has no {@code traceParent}. */
    public static final String TRACEPARENT = "traceparent";

    /** Spring Kafka: the topic the failed record came from (UTF-8). */
    public static final String DLT_ORIGINAL_TOPIC = "kafka_dlt-original-topic";
    /** Spring Kafka: the partition the failed record came from (4-byte big-endian int). */
    public static final String DLT_ORIGINAL_PARTITION = "kafka_dlt-original-partition";
    /** Spring Kafka: the offset of the failed record (8-byte big-endian long). */
    public static final String DLT_ORIGINAL_OFFSET = "kafka_dlt-original-offset";
    /** Spring Kafka: the failed record's timestamp (8-byte big-endian long). */
    public static final String DLT_ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";
    /** Spring Kafka: the consumer group that failed the record (UTF-8). */
    public static final String DLT_ORIGINAL_CONSUMER_GROUP = "kafka_dlt-original-consumer-group";
    /** Spring Kafka: the exception's fully qualified class name (UTF-8). */
    public static final String DLT_EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";
    /** Spring Kafka: the exception's message (UTF-8). */
    public static final String DLT_EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
    /** Spring Kafka: the exception's stack trace (UTF-8). */
    public static final String DLT_EXCEPTION_STACKTRACE = "kafka_dlt-exception-stacktrace";

    private JobHeaders() {}

    /** Sets {@code name} to {@code value} as UTF-8 text, replacing any earlier value. */
    public static void putText(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The last value of {@code name} as UTF-8 text. */
    public static Optional<String> text(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** Sets {@code name} to {@code time} as epoch milliseconds in decimal text (the encoding of {@link #DUE_AT}). */
    public static void putInstant(Headers headers, String name, Instant time) {
        putText(headers, name, Long.toString(time.toEpochMilli()));
    }

    /** The last value of {@code name} read as epoch milliseconds in decimal text; empty when absent or malformed. */
    public static Optional<Instant> instant(Headers headers, String name) {
        return text(headers, name).flatMap(text -> {
            try {
                return Optional.of(Instant.ofEpochMilli(Long.parseLong(text.strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** Spring Kafka's encoding of {@link #DLT_ORIGINAL_PARTITION}. */
    public static byte[] dltInt(int value) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(value).array();
    }

    /** Spring Kafka's encoding of {@link #DLT_ORIGINAL_OFFSET} and {@link #DLT_ORIGINAL_TIMESTAMP}. */
    public static byte[] dltLong(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }
}
