package io.jobstream.dlq.lag;

import java.util.Locale;

/** Where a partition's time lag ({@link PartitionLag#timeLag()}) comes from. */
public enum TimeLagSource {
    /**
     * Exact: the age of the oldest waiting record, from its timestamp (read at the group's committed offset), or zero
     * when nothing waits.
     */
    RECORD,
    /**
     * Interpolated from the log-end offsets the monitor saw over time (the record could not be read in time); may be a
     * lower bound ({@link PartitionLag#timeLagIsLowerBound()}).
     */
    ESTIMATE;

    /** The lower-case name used in JSON and tables: {@code record} or {@code estimate}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
