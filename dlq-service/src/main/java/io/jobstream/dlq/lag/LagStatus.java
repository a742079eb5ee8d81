package io.jobstream.dlq.lag;

/**
 * The health of a consumer group's partition (or of the group: its worst partition), after Burrow's rules, in
 * order of severity. {@link #code()} is the value of the {@code jobstream.consumer.status} gauge.
 */
public enum LagStatus {
    /** Caught up at some point of the window, or committing and the lag not growing. */
    OK,
    /** Committing, but the lag grew across the whole window. */
    WARN,
    /** The committed offset went backwards within the window (offsets were reset, or a rewind). */
    REWIND,
    /** The committed offset did not move across the window while lagging, though a member owns the partition. */
    STALL,
    /** The committed offset did not move across the window while lagging, and no member owns the partition. */
    STOP,
    /** The monitor could not read the group (an Admin request failed or timed out). */
    ERR;

    /** The numeric code of this status: 0 for OK up to 5 for ERR, by severity. */
    public int code() {
        return ordinal();
    }

    /** The more severe of this status and {@code other}. */
    public LagStatus worst(LagStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
