package io.jobstream.dlq.lag;

import java.time.Instant;
import java.util.Objects;

/**
 * Told when a consumer group's status changes: exactly one call per change (e.g. {@code OK → STOP}, then {@code STOP
 * → OK}), never for a sample that leaves the status as it was. A group first seen in a non-OK status counts as a
 * change from {@link LagStatus#OK}.
 *
 * <p>Called on the monitor's sampling thread, after the snapshot holding the change is published: return quickly
 * (hand slow work, such as sending an alert, to another thread). An exception thrown by a listener is logged and
 * does not stop the monitor or the other listeners.
 */
@FunctionalInterface
public interface LagListener {

    /** The group's status changed. */
    void onStatusChange(Change change);

    /**
     * A change of a group's status.
     *
     * @param group the consumer group
     * @param previous its status before
     * @param current its status now
     * @param at when the sample that saw the change was taken
     * @param detail the group as that sample saw it
     */
    record Change(String group, LagStatus previous, LagStatus current, Instant at, GroupLag detail) {
        public Change {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(previous, "previous");
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(detail, "detail");
            if (previous == current) {
                throw new IllegalArgumentException("not a change: " + previous + " -> " + current);
            }
        }
    }
}
