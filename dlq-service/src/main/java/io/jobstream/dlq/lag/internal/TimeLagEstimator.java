package io.jobstream.dlq.lag.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Estimates how long ago a partition's oldest unconsumed record was written, from a bounded table of (log-end
 * offset, time observed) samples of that partition. Not thread-safe: owned by the sampling thread.
 *
 * <p>The table: a sample whose log-end offset equals the two before it only moves the newest entry's time, so a
 * quiet partition keeps two entries per plateau (first and last seen). When the table is full, every second entry
 * of its older half is dropped (the oldest one is kept): the table then spans ever longer, with coarser old
 * entries. A log-end offset lower than the last one (topic re-created) clears the table.
 *
 * <p>The estimate for committed offset {@code c}: the record at {@code c} was written when the log end passed
 * {@code c}, i.e. between the newest entry with an end {@code <= c} and the next one, whose end is {@code > c}.
 * The time is interpolated linearly in that interval (assuming a steady write rate inside it) and the time lag is
 * {@code now} minus it. When {@code c} is below the oldest entry's end, the record is older than anything in the
 * table: the time lag is then the oldest entry's age, flagged as a lower bound (no extrapolation beyond the table,
 * which would invent a write rate for a time nobody observed). A caught-up partition ({@code c >=} newest end) has
 * no time lag.
 */
public final class TimeLagEstimator {

    /**
     * A time lag estimate.
     *
     * @param lag the time lag (never negative)
     * @param lowerBound true when the real time lag is at least {@code lag} (the record is older than the table)
     */
    public record Estimate(Duration lag, boolean lowerBound) {
        static final Estimate NONE = new Estimate(Duration.ZERO, false);
    }

    private final int capacity;
    private final long[] ends;
    private final long[] times;
    private int size;

    public TimeLagEstimator(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("the table holds at least 4 samples, got " + capacity);
        }
        this.capacity = capacity;
        this.ends = new long[capacity];
        this.times = new long[capacity];
    }

    /** Records that the partition's log end was {@code end} at {@code at} (times must not go backwards). */
    public void record(long end, Instant at) {
        long millis = at.toEpochMilli();
        if (size > 0 && end < ends[size - 1]) {
            size = 0;
        }
        if (size >= 2 && ends[size - 1] == end && ends[size - 2] == end) {
            times[size - 1] = millis;
            return;
        }
        if (size == capacity) {
            thin();
        }
        ends[size] = end;
        times[size] = millis;
        size++;
    }

    /** The time lag of a consumer whose committed offset is {@code committed}, as of {@code now}. */
    public Estimate estimate(long committed, Instant now) {
        if (size == 0 || committed >= ends[size - 1]) {
            return Estimate.NONE;
        }
        long nowMillis = now.toEpochMilli();
        int next = firstAbove(committed);
        if (next == 0) {
            return new Estimate(Duration.ofMillis(Math.max(0, nowMillis - times[0])), true);
        }
        long fromEnd = ends[next - 1];
        long toEnd = ends[next];
        double fraction = Math.min(1.0, (double) (committed + 1 - fromEnd) / (toEnd - fromEnd));
        long writtenAt = times[next - 1] + Math.round(fraction * (times[next] - times[next - 1]));
        return new Estimate(Duration.ofMillis(Math.max(0, nowMillis - writtenAt)), false);
    }

    /** How many entries the table holds now. */
    public int entries() {
        return size;
    }

    /** The index of the first entry whose end is above {@code committed}; the table holds one. */
    private int firstAbove(long committed) {
        int low = 0;
        int high = size - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ends[mid] > committed) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private void thin() {
        int half = size / 2;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (i >= half || i % 2 == 0) {
                ends[kept] = ends[i];
                times[kept] = times[i];
                kept++;
            }
        }
        size = kept;
    }
}
