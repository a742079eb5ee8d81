package io.jobstream.dlq.internal;

import io.jobstream.dlq.RetryDecision;
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
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one {@code <queue>.failed} record: a retry to a delay tier, or a dead letter to {@code <queue>.dlq}, plus
 * the matching event to {@code <queue>.events}. Runs on a Kafka Streams thread (one instance per task).
 */
final class RouterProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);
    private static final AtomicLong UNDECODABLE_SEEN = new AtomicLong();
    private static final int MAX_EVENT_ERROR = 200;

    private final RouterTopology.Settings settings;
    private final TopicLimits limits;
    private final JobSerde<JobFailure> failures;
    private final JobSerde<Job> jobs;
    private final JobSerde<DeadLetter> deadLetters;
    private final JobSerde<JobEvent> events;
    private ProcessorContext<byte[], byte[]> context;

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
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
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
        RetryDecision decision = settings.policies().decide(failure, now, settings.random());
        switch (decision) {
            case RetryDecision.Retry retry -> scheduleRetry(record.key(), failure, retry, now);
            case RetryDecision.GiveUp giveUp -> deadLetter(record.key(), failure, giveUp, now, trimmedFrom);
        }
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

    private void scheduleRetry(byte[] key, JobFailure failure, RetryDecision.Retry retry, Instant now) {
        Job job = failure.getJob().orElseThrow();
        List<FailureRecord> history = FailureHistory.appended(job, failure, settings.historyLimit());
        Job next = Job.newBuilder(job)
                .setAttempt(retry.nextAttempt())
                .setHeaders(FailureHistory.withHistory(job.getHeaders(), history))
                .build();
        DelayTiers tiers = settings.tiers();
        // The smallest tier is the floor: a retry never goes straight back to the queue. The forwarder releases it
        // at its due time, which may be before the tier's own delay is over, never earlier than due.
        Duration tier = tiers.tierFor(retry.delay()).orElse(tiers.smallest());
        String topic = Topics.delay(settings.queue(), tier);
        Headers headers = jobHeaders(next);
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, retry.dueAt());
        JobHeaders.putText(headers, JobHeaders.TARGET_TOPIC, settings.queue());
        byte[] value = jobs.encode(topic, next);
        long size = RecordLimits.sizeOf(key, value, headers);
        if (size > limits.maxBytes(topic)) {
            // the tier would refuse it, and under exactly-once a refused record is routed again forever
            deadLetter(
                    key,
                    failure,
                    new RetryDecision.GiveUp(
                            RetryDecision.Cause.TOO_LARGE_TO_RETRY,
                            "attempt " + retry.nextAttempt() + " takes about " + size + " bytes, " + topic + " takes "
                                    + limits.maxBytes(topic)),
                    now,
                    null);
            return;
        }
        context.forward(new Record<>(key, value, now.toEpochMilli(), headers), RouterTopology.delaySink(tier));
        emit(job, JobState.RETRY_SCHEDULED, retry.nextAttempt(), now, summary(failure));
        settings.metrics().retryScheduled(job.getType(), failure.getReason().name());
    }

    private void deadLetter(
            byte[] key, JobFailure failure, RetryDecision.GiveUp giveUp, Instant now, String trimmedFrom) {
        Job job = failure.getJob().orElse(null);
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
        String dlq = Topics.dlq(settings.queue());
        Headers headers = deadLetterHeaders(job, failure);
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
            headers = deadLetterHeaders(job, small.getLastFailure());
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
    }

    /** {@code <topic>/<partition>/<offset>} of the {@code <queue>.failed} record being routed. */
    private String failedRecordReference() {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return meta == null
                ? Trimming.reference(Topics.failed(settings.queue()), -1, -1)
                : Trimming.reference(meta.topic(), meta.partition(), meta.offset());
    }

    /** The headers of a dead letter of {@code job} (null when undecodable) ending with {@code failure}. */
    private Headers deadLetterHeaders(Job job, JobFailure failure) {
        Headers headers = job == null ? new RecordHeaders() : jobHeaders(job);
        headers.add(JobHeaders.DLT_ORIGINAL_TOPIC, utf8(failure.getSourceTopic()));
        headers.add(JobHeaders.DLT_ORIGINAL_PARTITION, JobHeaders.dltInt(failure.getSourcePartition()));
        headers.add(JobHeaders.DLT_ORIGINAL_OFFSET, JobHeaders.dltLong(failure.getSourceOffset()));
        if (failure.getSourceTopic().equals(settings.queue())) {
            headers.add(JobHeaders.DLT_ORIGINAL_CONSUMER_GROUP, utf8(Topics.workerGroup(settings.queue())));
        }
        failure.getErrorClass().ifPresent(fqcn -> headers.add(JobHeaders.DLT_EXCEPTION_FQCN, utf8(fqcn)));
        headers.add(JobHeaders.DLT_EXCEPTION_MESSAGE, utf8(failure.getMessage()));
        failure.getStackTrace().ifPresent(trace -> headers.add(JobHeaders.DLT_EXCEPTION_STACKTRACE, utf8(trace)));
        JobHeaders.putText(
                headers, JobHeaders.FAILURE_REASON, failure.getReason().name());
        return headers;
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
