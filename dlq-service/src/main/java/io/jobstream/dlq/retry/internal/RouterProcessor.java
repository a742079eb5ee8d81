package io.jobstream.dlq.retry.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.internal.FailureHistory;
import io.jobstream.dlq.retry.RetryDecision;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one {@code <queue>.failed} record: a retry to a delay tier, or a dead letter to {@code <queue>.dlq}, plus
 * the matching event to {@code <queue>.events}. Runs on a Kafka Streams thread (one instance per task).
 *
 * <p><b>One failure of an attempt is routed once.</b> A worker that wrote an attempt's failure and died before
 * committing runs that attempt again from the same record, and may write a second failure for it. Each routed attempt
 * is recorded in the task's {@link RouterTopology#ROUTED_STORE} under its identity (the job id, the attempt and the
 * source record: topic, partition, offset); a failure whose identity is there is dropped and counted ({@code
 * jobstream.router.duplicates}). The record goes to the store's changelog in the same transaction as the routing
 * (exactly-once), so a crash of the router can neither lose the record nor keep it without the routing. The source
 * record is part of the identity because a replay (attempt 1 again, a new record) is a lineage of its own. A failure
 * without a source offset (not written by a worker) is always routed.
 *
 * <p><b>Tracing.</b> A retry is a {@code PRODUCER} span {@code retry <queue>}, a dead letter a {@code PRODUCER} span
 * {@code dead-letter <queue>}; each is a child of, and linked to, the failed attempt's {@code process} span (the
 * failure record's {@code traceparent} header, else the job's {@code traceParent}). The retried job's {@code
 * traceParent} is the retry span, so its next attempt continues the trace; the dead letter's {@code traceparent}
 * header is the dead-letter span, which a replay links to. With the no-op OpenTelemetry both pass the parent on.
 */
final class RouterProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);
    private static final AtomicLong UNDECODABLE_SEEN = new AtomicLong();
    private static final AtomicLong DUPLICATES_SEEN = new AtomicLong();
    private static final int MAX_EVENT_ERROR = 200;

    private final RouterTopology.Settings settings;
    private final TopicLimits limits;
    private final JobSerde<JobFailure> failures;
    private final JobSerde<Job> jobs;
    private final JobSerde<DeadLetter> deadLetters;
    private final JobSerde<JobEvent> events;
    private final Tracer tracer;
    private ProcessorContext<byte[], byte[]> context;
    private WindowStore<String, String> routed;

    RouterProcessor(
            RouterTopology.Settings settings,
            TopicLimits limits,
            JobSerde<JobFailure> failures,
            JobSerde<Job> jobs,
            JobSerde<DeadLetter> deadLetters,
            JobSerde<JobEvent> events) {
        this.settings = settings;
        this.limits = limits;
        this.failures = failures;
        this.jobs = jobs;
        this.deadLetters = deadLetters;
        this.events = events;
        this.tracer = Tracing.tracer(settings.openTelemetry());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.routed = context.getStateStore(RouterTopology.ROUTED_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone carries no failure
        }
        Clock clock = settings.clock();
        Instant now = clock.instant();
        String queue = settings.queue();
        JobFailure failure;
        try {
            failure = failures.decode(Topics.failed(queue), record.headers(), record.value());
        } catch (JobDecodeException e) {
            if (e.isRetriable()) {
                throw e; // the registry is down: fail the task, Streams retries it from the last commit
            }
            failure = undecodable(record, e, now);
        }
        // a failure the processor trimmed stays marked as such in its dead letter (it is never retried: not retryable)
        String trimmedFrom =
                JobHeaders.text(record.headers(), JobHeaders.TRIMMED).orElse(null);
        String identity = identity(failure);
        if (identity != null) {
            String earlier = routedBefore(identity, now);
            if (earlier != null) {
                duplicate(failure, earlier);
                return;
            }
        }
        if (failure.getReason() == FailureReason.EXPIRED && failure.getJob().isPresent()) {
            // An expired job's terminal state is EXPIRED, which the worker wrote: it is neither retried nor
            // dead-lettered (one job, one terminal state). Its failure record stays in .failed for the record.
            if (identity != null) {
                routed.put(identity, JobState.EXPIRED.name(), now.toEpochMilli());
            }
            return;
        }
        boolean undecoded = failure.getJob().isEmpty();
        RetryDecision decision = undecoded
                ? settings.policies().decideUndecoded(failure, decodeAttempt(record.headers()), now, settings.random())
                : settings.policies().decide(failure, now, settings.random());
        Context attempt = Tracing.extract(
                Context.root(),
                JobHeaders.text(record.headers(), JobHeaders.TRACEPARENT)
                        .orElse(failure.getJob().flatMap(Job::getTraceParent).orElse(null)));
        JobState routedAs =
                switch (decision) {
                    case RetryDecision.Retry retry
                    when undecoded -> scheduleRawRetry(record.key(), failure, retry, now);
                    case RetryDecision.Retry retry -> scheduleRetry(record.key(), failure, retry, now, attempt);
                    case RetryDecision.GiveUp giveUp ->
                        deadLetter(record.key(), failure, giveUp, now, trimmedFrom, attempt);
                };
        if (identity != null) {
            routed.put(identity, routedAs.name(), now.toEpochMilli());
        }
    }

    /**
     * What makes a failure the same attempt run again: the job id, the attempt and the record it ran from. Null for a
     * failure that names no source record (nothing to compare).
     */
    static String identity(JobFailure failure) {
        if (failure.getSourceOffset() < 0 || failure.getSourcePartition() < 0) {
            return null;
        }
        String job =
                failure.getJob().map(j -> j.getId() + "\u0000" + j.getAttempt()).orElse("\u0000");
        return failure.getSourceTopic() + "\u0000" + failure.getSourcePartition() + "\u0000" + failure.getSourceOffset()
                + "\u0000" + job;
    }

    /** How {@code identity} was routed within the retention, or null. */
    private String routedBefore(String identity, Instant now) {
        long from = Math.max(0, now.toEpochMilli() - settings.routedRetention().toMillis());
        try (WindowStoreIterator<String> found = routed.fetch(identity, from, Long.MAX_VALUE)) {
            return found.hasNext() ? found.next().value : null;
        }
    }

    private void duplicate(JobFailure failure, String earlier) {
        settings.metrics().duplicate();
        long seen = DUPLICATES_SEEN.incrementAndGet();
        if (seen == 1 || Long.bitCount(seen) == 1) {
            LOG.info(
                    "router_duplicate_dropped queue={} job={} attempt={} source={}/{}/{} routed_as={} seen={}"
                            + " (logged at powers of two; all are counted in {})",
                    settings.queue(),
                    failure.getJob().map(j -> printable(j.getId())).orElse("-"),
                    failure.getJob().map(j -> j.getAttempt()).orElse(0),
                    printable(failure.getSourceTopic()),
                    failure.getSourcePartition(),
                    failure.getSourceOffset(),
                    earlier,
                    seen,
                    DlqMeters.ROUTER_DUPLICATES.spec().name());
        }
    }

    /** {@code text} safe for a one-line log: control characters replaced, at most 120 characters. */
    private static String printable(String text) {
        String cut = text.length() <= 120 ? text : text.substring(0, 120);
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == ' ' ? '?' : c));
        return out.toString();
    }

    @Override
    public void close() {
        failures.close();
        jobs.close();
        deadLetters.close();
        events.close();
    }

    private JobFailure undecodable(Record<byte[], byte[]> record, JobDecodeException e, Instant now) {
        settings.metrics().undecodable();
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? Topics.failed(settings.queue()) : meta.topic();
        int partition = meta == null ? -1 : meta.partition();
        long offset = meta == null ? -1 : meta.offset();
        if (UNDECODABLE_SEEN.getAndIncrement() == 0) {
            LOG.warn(
                    "undecodable failure record topic={} partition={} offset={}; dead-lettering its bytes",
                    topic,
                    partition,
                    offset,
                    e);
        } else {
            LOG.warn(
                    "undecodable failure record topic={} partition={} offset={} reason={} seen={}",
                    topic,
                    partition,
                    offset,
                    e.reason(),
                    UNDECODABLE_SEEN.get());
        }
        return JobFailure.newBuilder()
                .setJob(null)
                .setRawKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setRawValue(ByteBuffer.wrap(record.value()))
                .setReason(FailureReason.DECODE_ERROR)
                .setErrorClass(e.getClass().getName())
                .setMessage(String.valueOf(e.getMessage()))
                .setStackTrace(null)
                .setRetryable(false)
                .setFailedAt(now)
                .setWorkerId(settings.applicationId())
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .build();
    }

    /** The {@link JobHeaders#DECODE_ATTEMPT} a failure record carries: 1 when absent or not a number. */
    static int decodeAttempt(Headers headers) {
        try {
            return Math.max(
                    1,
                    JobHeaders.text(headers, JobHeaders.DECODE_ATTEMPT)
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .orElse(1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * Sends the raw bytes of a record the worker could not decode while the schema registry was unavailable back
     * through a delay tier, unchanged, with the next {@link JobHeaders#DECODE_ATTEMPT}; no event is written (no job id
     * is known).
     */
    private JobState scheduleRawRetry(byte[] key, JobFailure failure, RetryDecision.Retry retry, Instant now) {
        DelayTiers tiers = settings.tiers();
        Duration tier = tiers.tierFor(retry.delay()).orElse(tiers.smallest());
        byte[] rawKey = failure.getRawKey().map(RouterProcessor::bytes).orElse(key);
        byte[] value = failure.getRawValue().map(RouterProcessor::bytes).orElse(null);
        Headers headers = new RecordHeaders();
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, retry.dueAt());
        JobHeaders.putText(headers, JobHeaders.TARGET_TOPIC, settings.queue());
        JobHeaders.putText(headers, JobHeaders.DECODE_ATTEMPT, Integer.toString(retry.nextAttempt()));
        context.forward(new Record<>(rawKey, value, now.toEpochMilli(), headers), RouterTopology.delaySink(tier));
        settings.metrics().retryScheduled("unknown", failure.getReason().name());
        return JobState.RETRY_SCHEDULED;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private JobState scheduleRetry(
            byte[] key, JobFailure failure, RetryDecision.Retry retry, Instant now, Context attempt) {
        Job job = failure.getJob().orElseThrow();
        List<FailureRecord> history = FailureHistory.appended(job, failure, settings.historyLimit());
        DelayTiers tiers = settings.tiers();
        // The smallest tier is the floor: a retry never goes straight back to the queue. The forwarder releases it
        // at its due time, which may be before the tier's own delay is over, never earlier than due.
        Duration tier = tiers.tierFor(retry.delay()).orElse(tiers.smallest());
        String topic = Topics.delay(settings.queue(), tier);
        Span span = span("retry", topic, job, failure, attempt)
                .setAttribute(Tracing.JOB_ATTEMPT, (long) retry.nextAttempt())
                .startSpan();
        Job.Builder nextBuilder = Job.newBuilder(job)
                .setAttempt(retry.nextAttempt())
                .setHeaders(FailureHistory.withHistory(job.getHeaders(), history));
        // the next attempt continues the trace under this retry (unchanged with the no-op OpenTelemetry)
        Tracing.traceParent(span).ifPresent(nextBuilder::setTraceParent);
        Job next = nextBuilder.build();
        Headers headers = jobHeaders(next);
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, retry.dueAt());
        JobHeaders.putText(headers, JobHeaders.TARGET_TOPIC, settings.queue());
        byte[] value = jobs.encode(topic, next);
        long size = RecordLimits.sizeOf(key, value, headers);
        if (size > limits.maxBytes(topic)) {
            // the tier would refuse it, and under exactly-once a refused record is routed again forever
            span.setStatus(StatusCode.ERROR, RetryDecision.Cause.TOO_LARGE_TO_RETRY.name());
            span.end();
            return deadLetter(
                    key,
                    failure,
                    new RetryDecision.GiveUp(
                            RetryDecision.Cause.TOO_LARGE_TO_RETRY,
                            "attempt " + retry.nextAttempt() + " takes about " + size + " bytes, " + topic + " takes "
                                    + limits.maxBytes(topic)),
                    now,
                    null,
                    attempt);
        }
        context.forward(new Record<>(key, value, now.toEpochMilli(), headers), RouterTopology.delaySink(tier));
        span.end();
        emit(job, JobState.RETRY_SCHEDULED, retry.nextAttempt(), now, summary(failure));
        settings.metrics().retryScheduled(job.getType(), failure.getReason().name());
        return JobState.RETRY_SCHEDULED;
    }

    private JobState deadLetter(
            byte[] key,
            JobFailure failure,
            RetryDecision.GiveUp giveUp,
            Instant now,
            String trimmedFrom,
            Context attempt) {
        Job job = failure.getJob().orElse(null);
        String dlq = Topics.dlq(settings.queue());
        Span span = span("dead-letter", dlq, job, failure, attempt).startSpan();
        if (span.isRecording()) {
            span.setStatus(StatusCode.ERROR, giveUp.cause().name());
        }
        try {
            return deadLetter(key, failure, giveUp, now, trimmedFrom, job, dlq, span);
        } finally {
            span.end();
        }
    }

    private JobState deadLetter(
            byte[] key,
            JobFailure failure,
            RetryDecision.GiveUp giveUp,
            Instant now,
            String trimmedFrom,
            Job job,
            String dlq,
            Span span) {
        List<FailureRecord> history;
        JobFailure last;
        if (job == null) {
            history = List.of(FailureHistory.recordOf(failure));
            last = failure;
        } else {
            history = FailureHistory.appended(job, failure, settings.historyLimit());
            last = JobFailure.newBuilder(failure)
                    .setJob(Job.newBuilder(job)
                            .setHeaders(FailureHistory.withoutHistory(job.getHeaders()))
                            .build())
                    .build();
        }
        DeadLetter letter = DeadLetter.newBuilder()
                .setLastFailure(last)
                .setHistory(history)
                .setDeadAt(now)
                .build();
        Headers headers = deadLetterHeaders(job, failure, span);
        if (trimmedFrom != null) {
            Trimming.mark(headers, trimmedFrom);
        }
        byte[] value = deadLetters.encode(dlq, letter);
        long size = RecordLimits.sizeOf(key, value, headers);
        if (size > limits.maxBytes(dlq)) {
            // <queue>.dlq would refuse it: a trimmed dead letter pointing at the whole failure in <queue>.failed
            String source = failedRecordReference();
            DeadLetter small = Trimming.deadLetter(
                    letter,
                    "a dead letter of about " + size + " bytes is larger than " + dlq + " takes ("
                            + limits.maxBytes(dlq) + ")",
                    source);
            headers = deadLetterHeaders(job, small.getLastFailure(), span);
            Trimming.mark(headers, source);
            value = deadLetters.encode(dlq, small);
            LOG.warn("dead_letter_trimmed topic={} source={} bytes={}", dlq, source, size);
        }
        context.forward(new Record<>(key, value, now.toEpochMilli(), headers), RouterTopology.DLQ);
        if (job != null) {
            emit(job, JobState.DEAD_LETTERED, job.getAttempt(), now, giveUp.cause() + ": " + summary(failure));
        }
        settings.metrics()
                .deadLettered(
                        job == null ? "unknown" : job.getType(),
                        failure.getReason().name());
        return JobState.DEAD_LETTERED;
    }

    /** {@code <topic>/<partition>/<offset>} of the {@code <queue>.failed} record being routed. */
    private String failedRecordReference() {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return meta == null
                ? Trimming.reference(Topics.failed(settings.queue()), -1, -1)
                : Trimming.reference(meta.topic(), meta.partition(), meta.offset());
    }

    /**
     * The headers of a dead letter of {@code job} (null when undecodable) ending with {@code failure}; its {@code
     * traceparent} is the dead-letter {@code span} when that is valid.
     */
    private Headers deadLetterHeaders(Job job, JobFailure failure, Span span) {
        Headers headers = job == null ? new RecordHeaders() : jobHeaders(job);
        Tracing.traceParent(span).ifPresent(trace -> JobHeaders.putText(headers, JobHeaders.TRACEPARENT, trace));
        headers.add(JobHeaders.DLT_ORIGINAL_TOPIC, utf8(failure.getSourceTopic()));
        headers.add(JobHeaders.DLT_ORIGINAL_PARTITION, JobHeaders.dltInt(failure.getSourcePartition()));
        headers.add(JobHeaders.DLT_ORIGINAL_OFFSET, JobHeaders.dltLong(failure.getSourceOffset()));
        if (failure.getSourceTopic().equals(settings.queue())) {
            headers.add(JobHeaders.DLT_ORIGINAL_CONSUMER_GROUP, utf8(Names.workerGroup(settings.queue())));
        }
        failure.getErrorClass().ifPresent(fqcn -> headers.add(JobHeaders.DLT_EXCEPTION_FQCN, utf8(fqcn)));
        headers.add(JobHeaders.DLT_EXCEPTION_MESSAGE, utf8(failure.getMessage()));
        failure.getStackTrace().ifPresent(trace -> headers.add(JobHeaders.DLT_EXCEPTION_STACKTRACE, utf8(trace)));
        JobHeaders.putText(
                headers, JobHeaders.FAILURE_REASON, failure.getReason().name());
        return headers;
    }

    /**
     * A {@code PRODUCER} span {@code <operation> <queue>} writing to {@code topic}, a child of (and linked to) the
     * failed attempt's context.
     */
    private SpanBuilder span(String operation, String topic, Job job, JobFailure failure, Context attempt) {
        SpanBuilder builder = tracer.spanBuilder(operation + " " + settings.queue())
                .setSpanKind(SpanKind.PRODUCER)
                .setNoParent()
                .setAttribute(Tracing.MESSAGING_SYSTEM, Tracing.KAFKA)
                .setAttribute(Tracing.MESSAGING_DESTINATION, topic)
                .setAttribute(Tracing.MESSAGING_OPERATION_TYPE, "send")
                .setAttribute(Tracing.MESSAGING_OPERATION_NAME, operation)
                .setAttribute(Tracing.FAILURE_REASON, failure.getReason().name());
        if (job != null) {
            builder.setAttribute(Tracing.MESSAGING_MESSAGE_ID, job.getId())
                    .setAttribute(Tracing.JOB_TYPE, job.getType())
                    .setAttribute(Tracing.JOB_ATTEMPT, (long) job.getAttempt());
        }
        return Tracing.parentAndLink(builder, attempt);
    }

    private void emit(Job job, JobState state, int attempt, Instant now, String error) {
        JobEvent event = JobEvent.newBuilder()
                .setJobId(job.getId())
                .setQueue(settings.queue())
                .setType(job.getType())
                .setState(state)
                .setAttempt(attempt)
                .setAt(now)
                .setWorkerId(null)
                .setError(oneLine(error))
                .build();
        String topic = Topics.events(settings.queue());
        context.forward(
                new Record<>(utf8(job.getId()), events.encode(topic, event), now.toEpochMilli(), new RecordHeaders()),
                RouterTopology.EVENTS);
    }

    private static Headers jobHeaders(Job job) {
        Headers headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        JobHeaders.putText(headers, JobHeaders.ATTEMPT, Integer.toString(job.getAttempt()));
        JobHeaders.putText(headers, JobHeaders.CONTENT_TYPE, job.getContentType());
        job.getTraceParent().ifPresent(trace -> JobHeaders.putText(headers, JobHeaders.TRACEPARENT, trace));
        return headers;
    }

    private static String summary(JobFailure failure) {
        return failure.getReason() + failure.getErrorClass().map(c -> " " + c).orElse("") + ": " + failure.getMessage();
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_EVENT_ERROR ? line : line.substring(0, MAX_EVENT_ERROR);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
