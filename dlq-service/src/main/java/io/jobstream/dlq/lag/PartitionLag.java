package io.jobstream.dlq.lag;

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
 * @param end the partition's end offset as a {@code read_committed} consumer sees it (the last stable offset: past
 *     every committed transaction and its marker)
 * @param lag {@code max(0, end - committed)}: offsets written and not yet consumed (including the transaction markers
 *     and aborted records among them; a consumer that skipped them has committed past them)
 * @param timeLag how long ago the oldest unconsumed record was written: its age from its timestamp when {@code
 *     timeLagSource} is {@link TimeLagSource#RECORD}, else estimated from the log-end offsets the monitor saw over
 *     time (zero when {@code lag} is 0)
 * @param timeLagIsLowerBound true when the estimate's oldest unconsumed record is older than the monitor's oldest
 *     log-end sample for this partition, so {@code timeLag} is that sample's age: the true time lag is at least that
 *     (never with {@link TimeLagSource#RECORD})
 * @param status this partition's status over the sliding window
 * @param owner the client id of the member the partition is assigned to; empty when unassigned
 * @param timeLagSource where {@code timeLag} comes from: the waiting record, or the estimate
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
        Optional<String> owner,
        TimeLagSource timeLagSource) {

    /** A partition whose time lag is an {@link TimeLagSource#ESTIMATE estimate}. */
    public PartitionLag(
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
        this(
                group,
                topic,
                partition,
                committed,
                end,
                lag,
                timeLag,
                timeLagIsLowerBound,
                status,
                owner,
                TimeLagSource.ESTIMATE);
    }

    public PartitionLag {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timeLag, "timeLag");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(timeLagSource, "timeLagSource");
        if (lag < 0) {
            throw new IllegalArgumentException("lag must not be negative, got " + lag);
        }
    }

    /** {@link #timeLag()} in seconds, to the millisecond. */
    public double lagSeconds() {
        return timeLag.toMillis() / 1000.0;
    }
}
