package io.jobstream.processor;

import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;

/**
 * Every meter a {@link JobProcessor} registers (the worker's). Tags are bounded: {@code queue}, {@code type} (a
 * registered job type, else {@code unknown}), {@code reason}, {@code outcome}, {@code partition}. The README's metrics
 * table is generated from these entries.
 */
public enum ProcessorMeters implements MeterCatalogue {
    JOBS_COMPLETED(MeterSpec.counter("jobstream.jobs.completed", "Jobs that succeeded", null, "queue", "type")),
    JOBS_FAILED(MeterSpec.counter(
            "jobstream.jobs.failed",
            "Jobs whose failure was written to <queue>.failed",
            null,
            "queue",
            "type",
            "reason")),
    JOB_DURATION(MeterSpec.timer(
            "jobstream.job.duration",
            "How long handlers ran, by outcome (succeeded, failed, timeout); histogram buckets 10 ms to 10 min, so"
                    + " histogram_quantile over _bucket gives quantiles across replicas",
            "queue",
            "type",
            "outcome")),
    JOB_QUEUE_WAIT(MeterSpec.timer(
            "jobstream.job.queue.wait",
            "How long a job waited for a handler once it was due: from the later of its record's timestamp in the queue"
                    + " topic and its notBefore, to its handler's start (a retry's wait starts when the delay tier"
                    + " forwarded it); histogram buckets 10 ms to 1 h",
            "queue",
            "type")),
    JOB_END_TO_END(MeterSpec.timer(
            "jobstream.job.end-to-end",
            "From a job's first publish (its createdAt) to its success, retries and delays included; histogram buckets"
                    + " 100 ms to 1 day",
            "queue",
            "type")),
    BATCH_SIZE(MeterSpec.distribution(
            "jobstream.batch.size", "Jobs per batch handed to a batch handler", "jobs", "queue", "type")),
    JOBS_IN_FLIGHT(MeterSpec.gauge(
            "jobstream.jobs.in-flight",
            "Jobs taken from the queue and not yet finished (running, or writing their failure)",
            null,
            "queue")),
    JOBS_PENDING(MeterSpec.gauge(
            "jobstream.jobs.pending",
            "Jobs fetched and not yet committable: waiting, running, or finished behind an unfinished one (bounded by"
                    + " pausing partitions)",
            null,
            "queue")),
    WORKERS_ACTIVE(MeterSpec.gauge("jobstream.workers.active", "Handlers running right now", null, "queue")),
    PARTITION_LAG(MeterSpec.gauge(
            "jobstream.worker.partition.lag",
            "Jobs in an assigned partition after this worker's position (its consumer's currentLag), refreshed every"
                    + " commit interval; the queue's depth is jobstream.queue.depth",
            null,
            "queue",
            "partition")),
    JOBS_DEFERRED(MeterSpec.counter(
            "jobstream.jobs.deferred",
            "Jobs re-queued through a delay tier because their lock, permit or rate token was not had in time, or the"
                    + " coordination store was unreachable",
            null,
            "queue",
            "type",
            "reason")),
    JOBS_SKIPPED(MeterSpec.counter(
            "jobstream.jobs.skipped",
            "Jobs not run because their id had already succeeded (idempotent types; reason already_done)",
            null,
            "queue",
            "type",
            "reason")),
    EVENT_ERRORS(MeterSpec.counter(
            "jobstream.events.errors",
            "STARTED events the broker did not acknowledge (outcome events are retried instead)",
            null,
            "queue")),
    WRITES_DROPPED(MeterSpec.counter(
            "jobstream.writes.dropped",
            "Failures, deferrals and events not written because their job's partition had been revoked (another"
                    + " worker runs the job again)",
            null,
            "queue"));

    private final MeterSpec spec;

    ProcessorMeters(MeterSpec spec) {
        this.spec = spec;
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
