package io.jobstream.dlq.alert;

import io.jobstream.dlq.lag.GroupLag;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.dlq.lag.PartitionLag;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A consumer group's lag status changed (e.g. {@code OK → STOP}, and back): what the {@link AlertAggregator} sends
 * for a {@link LagListener.Change}, at most once per group per {@link AlertConfig#lagMinInterval()} (changes within
 * it are coalesced, the latest state winning).
 *
 * @param group the consumer group
 * @param previous the status the last alert of this group announced ({@link LagStatus#OK} when none did)
 * @param current the status now
 * @param at when the sample that saw {@code current} was taken
 * @param lag the group's total lag, in records
 * @param lagTime the largest time lag of the group's partitions: how long its oldest waiting record has waited
 * @param lagTimeIsLowerBound whether {@code lagTime} is only a lower bound (the record is older than the monitor's
 *     oldest log-end sample)
 * @param topics the topics (queues) the group has committed offsets for, sorted
 * @param state the group's state as the broker reports it ({@code STABLE}, {@code EMPTY}, {@code UNKNOWN}...)
 * @param members the group's members
 * @param error why the group could not be read; empty unless {@code current} is {@link LagStatus#ERR}
 * @param changes the status changes this alert stands for: 1, or more when changes were coalesced
 */
public record LagAlert(
        String group,
        LagStatus previous,
        LagStatus current,
        Instant at,
        long lag,
        Duration lagTime,
        boolean lagTimeIsLowerBound,
        List<String> topics,
        String state,
        int members,
        Optional<String> error,
        int changes)
        implements Notification {

    public LagAlert {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(lagTime, "lagTime");
        topics = List.copyOf(topics);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(error, "error");
        if (previous == current) {
            throw new IllegalArgumentException("not a change: " + previous + " -> " + current);
        }
        if (lag < 0) {
            throw new IllegalArgumentException("lag must not be negative, got " + lag);
        }
        if (changes < 1) {
            throw new IllegalArgumentException("changes must be at least 1, got " + changes);
        }
    }

    /**
     * The alert for {@code change}, announced as a change from {@code previous}.
     *
     * @param changes how many status changes it stands for
     */
    public static LagAlert of(LagListener.Change change, LagStatus previous, int changes) {
        GroupLag detail = change.detail();
        PartitionLag oldest = detail.partitions().stream()
                .max(Comparator.comparing(PartitionLag::timeLag))
                .orElse(null);
        return new LagAlert(
                change.group(),
                previous,
                change.current(),
                change.at(),
                detail.totalLag(),
                oldest == null ? Duration.ZERO : oldest.timeLag(),
                oldest != null && oldest.timeLagIsLowerBound(),
                detail.partitions().stream()
                        .map(PartitionLag::topic)
                        .distinct()
                        .sorted()
                        .toList(),
                detail.state(),
                detail.members(),
                detail.error(),
                changes);
    }

    /** Whether this alert says the group is healthy again ({@code → OK}). */
    public boolean isRecovery() {
        return current == LagStatus.OK;
    }

    /** {@link #lagTime()} in seconds, to the millisecond. */
    public double lagSeconds() {
        return lagTime.toMillis() / 1000.0;
    }

    /** A copyable command showing the group's lag per partition. */
    public String lagCommand() {
        return "jobstream lag --group " + Alert.quoted(group);
    }
}
