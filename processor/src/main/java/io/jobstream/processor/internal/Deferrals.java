package io.jobstream.processor.internal;

import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.AcknowledgedWriter.Write;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Deferred;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a job that may not run yet back through the delay tiers: re-published to {@code <queue>.delay.<tier>} (the
 * largest tier not longer than its wait, else the smallest), {@code notBefore} = its due time, header {@code
 * jobstream.due-at}, keyed and headed as it came, attempt unchanged; the dlq-service's delay forwarder brings it back
 * when due. Used for jobs whose coordination rules could not be met in time ({@code jobstream.worker.defer-delay}
 * later) and jobs fetched before their {@code notBefore}.
 *
 * <p>Runs on the job's thread and blocks it until the broker acknowledged the copy ({@link Deferred}); {@link
 * Abandoned} when the runner gave up first. A copy refused for good fails the job instead (non-retryable {@code
 * HANDLER_ERROR}, through {@link FailureRecords}). Thread-safe.
 */
final class Deferrals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deferrals.class);

    private final String queue;
    private final DelayTiers tiers;
    private final Duration deferDelay;
    private final String deferTopic;
    private final JobSerde<Job> serde;
    private final AcknowledgedWriter writer;
    private final FailureRecords failures;
    private final Clock clock;
    private final ProcessorMetrics metrics;

    Deferrals(
            ProcessorConfig config,
            AcknowledgedWriter writer,
            FailureRecords failures,
            Clock clock,
            ProcessorMetrics metrics) {
        this.queue = config.queue();
        this.tiers = config.delayTiers();
        this.deferDelay = config.deferDelay();
        this.deferTopic = Topics.delay(queue, tiers.tierFor(deferDelay).orElse(tiers.smallest()));
        this.serde = JobSerde.forJob(config.serde()).fallingBackWhenRegistryUnavailable();
        this.writer = writer;
        this.failures = failures;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The tier topic of {@code jobstream.worker.defer-delay}, where jobs that could not take their rules go. */
    String deferTopic() {
        return deferTopic;
    }

    /** Defers {@code job} by {@code jobstream.worker.defer-delay}, for {@code reason} (a metric tag). */
    Outcome defer(Work work, Job job, String reason, String detail) {
        return deferUntil(work, job, clock.instant().plus(deferDelay), reason, detail);
    }

    /** Defers {@code job} until {@code due}, through the tier that fits the wait; the forwarder brings it back no earlier. */
    Outcome deferUntil(Work work, Job job, Instant due, String reason, String detail) {
        Duration wait = Duration.between(clock.instant(), due);
        String topic = Topics.delay(queue, tiers.tierFor(wait).orElse(tiers.smallest()));
        Job deferred = Job.newBuilder(job).setNotBefore(due).build();
        Write written =
                writer.write(work, topic, work.key(), () -> serde.encode(topic, deferred), headers(work, job, due));
        if (written instanceof Write.GaveUp) {
            return new Abandoned("the processor closed before the deferred job was acknowledged");
        }
        if (written instanceof Write.Refused refused) {
            writer.refused(work, topic, refused.cause(), "failure");
            return failures.fail(
                    work,
                    job,
                    job.getType(),
                    FailureReason.HANDLER_ERROR,
                    refused.cause(),
                    "the deferred job cannot be written to " + topic + ": " + refused.cause(),
                    false);
        }
        metrics.deferred(job.getType(), reason);
        LOG.debug(
                "job_deferred reason={} id={} type={} topic={} due={} detail=\"{}\"",
                reason,
                job.getId(),
                job.getType(),
                topic,
                due,
                detail);
        return new Deferred(reason);
    }

    /** The job record's own headers, plus its id, type, due time and the queue it goes back to. */
    private Headers headers(Work work, Job job, Instant due) {
        RecordHeaders headers = new RecordHeaders();
        Headers original = work.record().headers();
        if (original != null) {
            for (Header header : original) {
                headers.add(header.key(), header.value());
            }
        }
        JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, due);
        JobHeaders.putText(headers, JobHeaders.TARGET_TOPIC, queue);
        return headers;
    }

    @Override
    public void close() {
        serde.close();
    }
}
