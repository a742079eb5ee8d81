package io.jobstream.processor.internal;

import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.AcknowledgedWriter.Write;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a job: builds its {@link JobFailure} (the job, or a bad record's raw bytes; reason, error class, message and
 * stack trace, each cut to 8 Ki chars; where it came from; the worker), writes its {@code FAILED}/{@code EXPIRED}
 * event first (the dlq-service's own events for the failure should follow it), then the record to {@code
 * <queue>.failed} through the {@link AcknowledgedWriter}. A record refused for good is written {@linkplain Trimming
 * trimmed} instead (no payload, headers map or raw bytes, shorter texts, not retryable, marked with the job's own
 * record); that one is retried until acknowledged.
 *
 * <p>Runs on the failing job's thread (a timeout's or a batch item's failure on a job thread of its own) and blocks it
 * until the broker acknowledged; thread-safe. The outcome is {@link Failed} once acknowledged, {@link Abandoned} when
 * the runner gave up (or the partition was revoked) first. The first failure of each reason is logged with its trace,
 * later ones only at DEBUG. It runs with the job's {@code process} span current: the span is marked failed, and the
 * record's {@code traceparent} header carries its context ({@link JobTracing#failed}).
 */
final class FailureRecords implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FailureRecords.class);
    /** Longest message or stack trace kept in a failure record, in chars. */
    private static final int TEXT_LIMIT = 8 * 1024;
    /** Longest record key kept on a trimmed failure, in bytes; a longer one is left out (the record is keyless). */
    private static final int TRIMMED_KEY_LIMIT = 16 * 1024;

    private final String topic;
    private final String workerId;
    private final JobSerde<JobFailure> serde;
    private final AcknowledgedWriter writer;
    private final EventSender events;
    private final Clock clock;
    private final ProcessorMetrics metrics;
    private final Map<FailureReason, AtomicLong> seen = new EnumMap<>(FailureReason.class);

    FailureRecords(
            ProcessorConfig config,
            JobSerde<JobFailure> serde,
            AcknowledgedWriter writer,
            EventSender events,
            Clock clock,
            ProcessorMetrics metrics) {
        this.topic = Topics.failed(config.queue());
        this.workerId = config.workerId();
        this.serde = serde;
        this.writer = writer;
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
        for (FailureReason reason : FailureReason.values()) {
            seen.put(reason, new AtomicLong());
        }
    }

    /** {@code <queue>.failed}. */
    String topic() {
        return topic;
    }

    /** Fails {@code job} with what its handler threw: {@code HANDLER_ERROR}, retryable as classified. */
    Outcome handlerError(Work work, Job job, Throwable error) {
        return fail(
                work,
                job,
                job.getType(),
                FailureReason.HANDLER_ERROR,
                error,
                error.getMessage(),
                FailureClassification.isRetryable(error));
    }

    /**
     * Writes the failure of {@code work} ({@code job} null when the record could not be decoded) and counts it under
     * {@code typeTag}; {@link Failed} once acknowledged, retryable unless written trimmed.
     */
    Outcome fail(
            Work work,
            Job job,
            String typeTag,
            FailureReason reason,
            Throwable error,
            String message,
            boolean retryable) {
        JobFailure failure = record(work, job, reason, error, message, retryable);
        log(work, job, reason, error, message);
        RecordHeaders headers = headers(work.record(), job, reason);
        JobTracing.failed(headers, reason, error);
        if (!events.failed(work, job, reason, error, message)) {
            return new Abandoned("the processor closed before the failure event was acknowledged");
        }
        // encoding is retried too: with the Confluent format it may need the schema registry
        Write written = writer.write(work, topic, work.key(), () -> serde.encode(topic, failure), headers);
        boolean trimmed = written instanceof Write.Refused;
        if (written instanceof Write.Refused refused) {
            // too large for .failed (or its producer): a trimmed failure instead, pointing at the job's record; that
            // one is small, so a refusal of it is a misconfigured topic and retried like any other write error
            writer.refused(work, topic, refused.cause(), "trimmed");
            JobFailure small = Trimming.failure(failure, refused.cause().toString());
            written = writer.writeRetryingRefusals(
                    work, topic, trimmedKey(work), () -> serde.encode(topic, small), trimmedHeaders(work, headers));
        }
        if (written instanceof Write.GaveUp) {
            return new Abandoned("the processor closed before the failure record was acknowledged");
        }
        metrics.failed(typeTag, reason);
        return new Failed(reason, retryable && !trimmed);
    }

    /** The failure record of {@code work}: the job, or (when {@code job} is null) the record's raw key and value. */
    JobFailure record(Work work, Job job, FailureReason reason, Throwable error, String message, boolean retryable) {
        ConsumerRecord<byte[], byte[]> record = work.record();
        return JobFailure.newBuilder()
                .setJob(job)
                .setRawKey(job == null && record.key() != null ? ByteBuffer.wrap(record.key()) : null)
                .setRawValue(job == null && record.value() != null ? ByteBuffer.wrap(record.value()) : null)
                .setReason(reason)
                .setErrorClass(error == null ? null : error.getClass().getName())
                .setMessage(message == null ? "" : truncate(message))
                .setStackTrace(error == null ? null : stackTrace(error))
                .setRetryable(retryable)
                .setFailedAt(clock.instant())
                .setWorkerId(workerId)
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .build();
    }

    /**
     * The failure record's headers: the reason, the job's id and type when there is a job, and for {@code
     * REGISTRY_UNAVAILABLE} the decode attempt.
     */
    static RecordHeaders headers(ConsumerRecord<byte[], byte[]> record, Job job, FailureReason reason) {
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.FAILURE_REASON, reason.name());
        if (job != null) {
            JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
            JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        }
        if (reason == FailureReason.REGISTRY_UNAVAILABLE) {
            JobHeaders.putText(headers, JobHeaders.DECODE_ATTEMPT, Integer.toString(decodeAttempt(record)));
        }
        return headers;
    }

    /** The record's {@link JobHeaders#DECODE_ATTEMPT}: 1 for a record never retried, never less than 1. */
    static int decodeAttempt(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Math.max(
                    1,
                    JobHeaders.text(record.headers(), JobHeaders.DECODE_ATTEMPT)
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .orElse(1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return truncate(out.toString());
    }

    private static String truncate(String text) {
        return text.length() <= TEXT_LIMIT
                ? text
                : text.substring(0, TEXT_LIMIT) + "\n\t... (truncated, " + text.length() + " chars)";
    }

    /** The job's record key, unless it is too long for a trimmed failure (which is then keyless). */
    private static byte[] trimmedKey(Work work) {
        return work.key() == null || work.key().length <= TRIMMED_KEY_LIMIT ? work.key() : null;
    }

    /** {@code headers} (a copy: sent headers are read-only) marked as trimmed, naming the job's own record. */
    private static RecordHeaders trimmedHeaders(Work work, RecordHeaders headers) {
        ConsumerRecord<byte[], byte[]> record = work.record();
        RecordHeaders marked = new RecordHeaders();
        headers.forEach(header -> marked.add(header.key(), header.value()));
        Trimming.mark(marked, Trimming.reference(record.topic(), record.partition(), record.offset()));
        return marked;
    }

    private void log(Work work, Job job, FailureReason reason, Throwable error, String message) {
        long n = seen.get(reason).incrementAndGet();
        String id = job == null ? "-" : job.getId();
        String type = job == null ? "-" : job.getType();
        if (n == 1) {
            LOG.warn(
                    "job_failed reason={} id={} type={} partition={} offset={} message=\"{}\" (first of its kind;"
                            + " later ones are counted)",
                    reason,
                    id,
                    type,
                    work.partition(),
                    work.offset(),
                    message,
                    error);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "job_failed reason={} id={} type={} partition={} offset={} count={} message=\"{}\"",
                    reason,
                    id,
                    type,
                    work.partition(),
                    work.offset(),
                    n,
                    message);
        }
    }

    @Override
    public void close() {
        serde.close();
    }
}
