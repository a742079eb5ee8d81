package io.jobstream.dlq;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One partition of a consumer group, as one sample saw it.
 *
 * @param group the consumer group
 * @param topic the topic
 * @param partition the partition
 * @param committed the group's committed offset (the next record it will read)
 * @param end the partition's log-end offset (high watermark)
 * @param lag {@code max(0, end - committed)}: records written and not yet consumed
 * @param timeLag how long ago the oldest unconsumed record was written, estimated from the log-end offsets the monitor
 *     saw over time (zero when {@code lag} is 0)
 * @param timeLagIsLowerBound true when the oldest unconsumed record is older than the monitor's oldest log-end
 *     sample for this partition, so {@code timeLag} is that sample's age: the true time lag is at least that
 * @param status this partition's status over the sliding window
 * @param owner the client id of the member the partition is assigned to; empty when unassigned
 */
public record PartitionLag(
        String group,
        String topic,
        int partition,
        long committed,
        long end,
        long lag,
        Duration timeLag,
        boolean timeLagIsLowerBound,
        LagStatus status,
        Optional<String> owner) {

    public PartitionLag {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timeLag, "timeLag");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(owner, "owner");
        if (lag < 0) {
            throw new IllegalArgumentException("lag must not be negative, got " + lag);
        }
    }

    /** {@link #timeLag()} in seconds, to the millisecond. */
    public double lagSeconds() {
        return timeLag.toMillis() / 1000.0;
    }
}
