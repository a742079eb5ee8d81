package io.jobstream.dlq;

import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;

/**
 * Every meter the dlq-service registers: the failure router's, the delay forwarder's, the alerts' and the lag
 * monitor's. Tags are bounded: {@code queue}, {@code type} (at most {@code TagValues.DEFAULT_MAX} per queue, the rest
 * {@code other}), {@code reason}, {@code sink}, {@code tier}, {@code group}, {@code topic}, {@code partition}, {@code status}. The
 * README's metrics table is generated from these entries.
 */
public enum DlqMeters implements MeterCatalogue {
    RETRIES_SCHEDULED(MeterSpec.counter(
            "jobstream.retries.scheduled",
            "Retries the failure router sent to a delay tier",
            null,
            "queue",
            "type",
            "reason")),
    DEAD_LETTERS(MeterSpec.counter(
            "jobstream.dead-letters", "Jobs the failure router dead-lettered", null, "queue", "type", "reason")),
    UNDECODABLE_FAILURES(MeterSpec.counter(
            "jobstream.dlq.undecodable-failures",
            "Records on <queue>.failed that could not be decoded (dead-lettered with their raw bytes)",
            null,
            "queue")),
    ROUTER_DUPLICATES(MeterSpec.counter(
            "jobstream.router.duplicates",
            "Failures of an attempt already routed (a re-run after a crash), dropped instead of routed again",
            null,
            "queue")),
    DELAY_LATENESS(MeterSpec.timer(
            "jobstream.delay.lateness",
            "Delivery time minus due time of delayed jobs returned to their queue (percentiles 0.5, 0.99)",
            "queue")),
    DLQ_SIZE(MeterSpec.gauge(
            "jobstream.dlq.size",
            "Dead letters waiting in <queue>.dlq: in its retained log and not replayed, by job type (unknown without"
                    + " one); take max over dlq-service replicas, never sum",
            null,
            "queue",
            "type")),
    DELAY_WAITING(MeterSpec.gauge(
            "jobstream.delay.waiting",
            "Jobs in a delay tier not yet forwarded (retries in flight, delayed and deferred jobs): records of"
                    + " <queue>.delay.<tier> at or after the delay forwarder's committed offset; take max over"
                    + " dlq-service replicas, never sum",
            null,
            "queue",
            "tier")),
    ALERTS_SENT(MeterSpec.counter("jobstream.alerts.sent", "Alerts a sink delivered", null, "sink")),
    ALERTS_PENDING(MeterSpec.gauge("jobstream.alerts.pending", "Alerts waiting in a sink's outbox", null, "sink")),
    ALERTS_EXPIRED(MeterSpec.counter(
            "jobstream.alerts.expired", "Alerts dropped unsent because they outlived the maximum age", null, "sink")),
    ALERTS_DROPPED(MeterSpec.counter(
            "jobstream.alerts.dropped",
            "Alerts dropped because the sink's outbox was full (the oldest)",
            null,
            "sink")),
    ALERTS_FAILED(MeterSpec.counter(
            "jobstream.alerts.failed", "Alerts the sink refused for good (dropped, not retried)", null, "sink")),
    ALERTS_SUPPRESSED(MeterSpec.counter(
            "jobstream.alerts.suppressed",
            "Dead letters counted into an aggregate alert instead of getting a message of their own",
            null,
            "sink")),
    ALERTS_COALESCED(MeterSpec.counter(
            "jobstream.alerts.coalesced",
            "Lag status changes that got no alert of their own (coalesced within a group's minimum interval)",
            null,
            "sink")),
    CONSUMER_LAG(MeterSpec.gauge(
            "jobstream.consumer.lag",
            "Lag monitor: records written to the partition and not yet consumed by the group",
            null,
            "group",
            "topic",
            "partition")),
    CONSUMER_LAG_TIME(MeterSpec.gauge(
            "jobstream.consumer.lag.time",
            "Lag monitor: how long ago the group's oldest unconsumed record of the partition was written (its"
                    + " record's age, else the estimate)",
            "seconds",
            "group",
            "topic",
            "partition")),
    QUEUE_DEPTH(MeterSpec.gauge(
            "jobstream.queue.depth",
            "Lag monitor: jobs waiting in the queue, per partition the largest lag of any monitored group, summed; the"
                    + " one depth per queue (take max over monitor replicas, never sum)",
            null,
            "queue")),
    QUEUE_OLDEST_AGE(MeterSpec.gauge(
            "jobstream.queue.oldest.age",
            "Lag monitor: age of the oldest job waiting in the queue, the largest jobstream.consumer.lag.time of any"
                    + " monitored group and partition (take max over monitor replicas)",
            "seconds",
            "queue")),
    CONSUMER_STATUS(MeterSpec.gauge(
            "jobstream.consumer.status",
            "Lag monitor: the group's lag status, 0 OK, 1 WARN, 2 REWIND, 3 STALL, 4 STOP, 5 ERR",
            null,
            "group",
            "status"));

    private final MeterSpec spec;

    DlqMeters(MeterSpec spec) {
        this.spec = spec;
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
