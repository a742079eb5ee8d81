package io.jobstream.schemas;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;

/**
 * What a failure or dead letter becomes when it is too large to be written whole (its topic refused it, see {@link
 * RecordLimits}): the job's payload and headers map and any raw bytes are left out (the record they came from is
 * named instead, by topic, partition and offset, in the message and the {@link JobHeaders#TRIMMED} header), the
 * message and stack trace are cut short, and it is not retryable (a job without its payload cannot run again), so
 * the failure router dead-letters it. Stateless and thread-safe.
 */
public final class Trimming {
    /** The longest message kept in a trimmed record, in chars. */
    public static final int MESSAGE_LIMIT = 1024;
    /** The longest stack trace kept in a trimmed record, in chars. */
    public static final int STACK_TRACE_LIMIT = 4096;
    /** The most history entries kept in a trimmed dead letter (the newest). */
    public static final int HISTORY_LIMIT = 10;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private Trimming() {}

    /** {@code <topic>/<partition>/<offset>}: how a trimmed record names the record whose bytes it left out. */
    public static String reference(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /**
     * {@code failure} trimmed: no payload, job headers or raw bytes, short texts, not retryable; the message says why
     * ({@code why}) and where the job's bytes are (the failure's source record).
     */
    public static JobFailure failure(JobFailure failure, String why) {
        String source = reference(failure.getSourceTopic(), failure.getSourcePartition(), failure.getSourceOffset());
        return trimmed(failure, why, source);
    }

    /**
     * {@code letter} trimmed: its last failure trimmed as {@link #failure} does, pointing at {@code source} (the
     * record that holds it whole), and at most the newest {@link #HISTORY_LIMIT} history entries with short messages.
     */
    public static DeadLetter deadLetter(DeadLetter letter, String why, String source) {
        List<FailureRecord> history = letter.getHistory();
        List<FailureRecord> kept = history.subList(Math.max(0, history.size() - HISTORY_LIMIT), history.size()).stream()
                .map(r -> FailureRecord.newBuilder(r)
                        .setMessage(shorten(r.getMessage(), MESSAGE_LIMIT))
                        .build())
                .toList();
        return DeadLetter.newBuilder(letter)
                .setLastFailure(trimmed(letter.getLastFailure(), why, source))
                .setHistory(kept)
                .build();
    }

    /** Marks {@code headers} as those of a trimmed record standing for {@code source}. */
    public static void mark(Headers headers, String source) {
        JobHeaders.putText(headers, JobHeaders.TRIMMED, source);
    }

    /** Whether {@code headers} mark a trimmed record. */
    public static boolean isTrimmed(Headers headers) {
        return JobHeaders.text(headers, JobHeaders.TRIMMED).isPresent();
    }

    private static JobFailure trimmed(JobFailure failure, String why, String source) {
        Job job = failure.getJob()
                .map(j -> Job.newBuilder(j)
                        .setPayload(EMPTY.duplicate())
                        .setHeaders(Map.of())
                        .build())
                .orElse(null);
        String message = shorten(failure.getMessage(), MESSAGE_LIMIT) + " [trimmed: " + shorten(why, MESSAGE_LIMIT)
                + "; the whole record is at " + source + "]";
        return JobFailure.newBuilder(failure)
                .setJob(job)
                .setRawKey(null)
                .setRawValue(null)
                .setMessage(message)
                .setStackTrace(failure.getStackTrace()
                        .map(trace -> shorten(trace, STACK_TRACE_LIMIT))
                        .orElse(null))
                .setRetryable(false)
                .build();
    }

    private static String shorten(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "... (" + text.length() + " chars)";
    }
}
