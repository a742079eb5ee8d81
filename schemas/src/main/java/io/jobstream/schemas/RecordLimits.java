package io.jobstream.schemas;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * How large Jobstream's records may be, and which produce errors end a record's writes.
 *
 * <p>A topic's {@code max.message.bytes} is the one limit: {@code jobstream topics create} gives the queue and its
 * delay tiers the payload limit plus {@link #JOB_ALLOWANCE}, and {@code .failed}, {@code .dlq} and {@code
 * .dlq.replayed} the payload limit plus {@link #FAILURE_ALLOWANCE} (a failure holds the job, its error message and
 * stack trace, each kept under 8 Ki chars by the writer; a dead letter adds a bounded failure history). Every internal
 * producer (the processor's failures, deferrals and events, the failure router, the delay forwarder, DLQ replay) sets
 * {@code max.request.size} to {@link #INTERNAL_MAX_REQUEST_SIZE}, so no producer refuses a record its topic would
 * take; a record the topic refuses is written trimmed instead ({@link Trimming}), never retried forever.
 */
public final class RecordLimits {
    /** Room for a job's envelope (id, type, headers, times) on top of its payload, in bytes. */
    public static final int JOB_ALLOWANCE = 64 * 1024;
    /** Room for a failure's error message, stack trace and history on top of its job's payload, in bytes. */
    public static final int FAILURE_ALLOWANCE = 256 * 1024;
    /**
     * {@code max.request.size} of every internal producer: the largest payload limit the publisher accepts (64 MiB)
     * plus {@link #FAILURE_ALLOWANCE}. (A record above the producer's {@code buffer.memory}, 32 MiB by default, is
     * still refused by the producer itself, which the writers treat as too large.)
     */
    public static final int INTERNAL_MAX_REQUEST_SIZE = 64 * 1024 * 1024 + FAILURE_ALLOWANCE;
    /** Bytes a record batch and a record add around a record's key, value and headers, rounded up. */
    private static final int RECORD_OVERHEAD = 512;

    private RecordLimits() {}

    /** Sets {@code max.request.size} to {@link #INTERNAL_MAX_REQUEST_SIZE} unless {@code properties} already sets it. */
    public static Map<String, Object> sizedForInternalRecords(Map<String, Object> properties) {
        properties.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, INTERNAL_MAX_REQUEST_SIZE);
        return properties;
    }

    /**
     * Whether the broker or the producer refused this very record for good ({@code RecordTooLargeException},
     * {@code RecordBatchTooLargeException}, {@code InvalidRecordException}), not merely a send that failed because an
     * earlier send of the same transaction had (a {@code KafkaException} whose cause is the earlier refusal). A
     * transactional writer that turns refused records into something else must ask this, or it would also turn the
     * innocent records of the transaction into failures. It does not tell apart a batch that was still waiting when
     * the refusal came: the producer fails it with the refused batch's own exception. So a writer that sees the
     * refusal on more than one record must write each again alone to learn which it was (the delay forwarder does).
     */
    public static boolean isRefusal(Throwable produceError) {
        return produceError instanceof RecordTooLargeException
                || produceError instanceof RecordBatchTooLargeException
                || produceError instanceof InvalidRecordException;
    }

    /**
     * Whether a produce error is terminal for the record that caused it: writing the same record again can never
     * succeed (too large for the producer or the topic, or invalid for the topic). Errors that concern the connection,
     * the cluster or the credentials are not: they pass, or an operator fixes them, and the record is written then.
     */
    public static boolean isTerminalFor(Throwable produceError) {
        Throwable t = produceError;
        for (int depth = 0; t != null && depth < 8; depth++) {
            if (t instanceof RecordTooLargeException
                    || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidRecordException) {
                return true;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return false;
    }

    /** An upper estimate of the bytes a record with {@code key}, {@code value} and {@code headers} takes in a batch. */
    public static long sizeOf(byte[] key, byte[] value, Headers headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        if (headers != null) {
            for (Header header : headers) {
                size += header.key().length() * 3L + (header.value() == null ? 0 : header.value().length) + 10;
            }
        }
        return size;
    }
}
