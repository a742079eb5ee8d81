package io.jobstream.api.internal.status;

import io.jobstream.api.ApiMeters;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Topics;
import java.time.Instant;
import java.util.Optional;
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
 * Turns a job on a queue topic into an {@code ENQUEUED} event keyed by its job id (the queue topic is keyed by
 * ordering key). Reads the {@code jobstream.job-id} and {@code jobstream.job-type} headers the publisher writes, so a
 * Jobstream-published job is never decoded; a job from another producer is decoded the way the processor does (the
 * same id for a JSON envelope without one). Retries ({@code jobstream.attempt} above 1) and replays ({@code
 * jobstream.replayed-from}) are skipped: their events come from the dlq-service. An undecodable record is counted and
 * skipped (the processor dead-letters it). Runs on a Kafka Streams thread, one instance per task.
 */
final class EnqueueExtractor implements Processor<byte[], byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(EnqueueExtractor.class);
    private static final AtomicLong UNDECODABLE = new AtomicLong();

    private final StatusTopology.Settings settings;
    private final JobDecoder jobs;
    private final JobSerde<JobEvent> events;
    private ProcessorContext<String, byte[]> context;

    EnqueueExtractor(StatusTopology.Settings settings) {
        this.settings = settings;
        this.jobs = JobDecoder.create(settings.serdes());
        this.events = JobSerde.forEvent(settings.serdes());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        Headers headers = record.headers();
        if (JobHeaders.text(headers, JobHeaders.REPLAYED_FROM).isPresent()) {
            return;
        }
        Optional<String> attempt = JobHeaders.text(headers, JobHeaders.ATTEMPT);
        if (attempt.isPresent() && !attempt.get().trim().equals("1")) {
            return;
        }
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        String queue = meta.topic();
        Optional<String> id = JobHeaders.text(headers, JobHeaders.JOB_ID);
        Optional<String> type = JobHeaders.text(headers, JobHeaders.JOB_TYPE);
        String jobId;
        String jobType;
        if (id.isPresent() && type.isPresent()) {
            jobId = id.get();
            jobType = type.get();
        } else {
            Job job;
            try {
                job = jobs.decode(queue, meta.partition(), meta.offset(), headers, record.value());
            } catch (JobDecodeException e) {
                if (e.isRetriable()) {
                    throw e;
                }
                settings.metrics().undecodable();
                if (UNDECODABLE.incrementAndGet() == 1) {
                    LOG.warn(
                            "undecodable job topic={} partition={} offset={}; no ENQUEUED recorded (counted in {})",
                            queue,
                            meta.partition(),
                            meta.offset(),
                            ApiMeters.STATUS_EVENTS.spec().name(),
                            e);
                }
                return;
            }
            if (job.getAttempt() > 1) {
                return;
            }
            jobId = job.getId();
            jobType = job.getType();
        }
        JobEvent event = JobEvent.newBuilder()
                .setJobId(jobId)
                .setQueue(queue)
                .setType(jobType)
                .setState(JobState.ENQUEUED)
                .setAttempt(1)
                .setAt(Instant.ofEpochMilli(record.timestamp()))
                .setWorkerId(null)
                .setError(null)
                .build();
        settings.metrics().enqueued();
        context.forward(new Record<>(
                jobId, events.encode(Topics.events(queue), event), record.timestamp(), new RecordHeaders()));
    }

    @Override
    public void close() {
        jobs.close();
        events.close();
    }
}
