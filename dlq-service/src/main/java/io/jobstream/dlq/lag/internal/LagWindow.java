package io.jobstream.dlq.lag.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * The last {@code size} samples of one group's partition, oldest first. Not thread-safe: owned by the sampling
 * thread.
 */
public final class LagWindow {

    /**
     * One observation of a partition.
     *
     * @param at when it was taken
     * @param committed the group's committed offset
     * @param end the partition's log-end offset
     * @param owned whether a member of the group had the partition assigned
     */
    public record Sample(Instant at, long committed, long end, boolean owned) {
        public Sample {
            Objects.requireNonNull(at, "at");
        }

        /** {@code max(0, end - committed)}. */
        public long lag() {
            return Math.max(0, end - committed);
        }
    }

    private final int size;
    private final ArrayDeque<Sample> samples;

    public LagWindow(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a window holds at least 2 samples, got " + size);
        }
        this.size = size;
        this.samples = new ArrayDeque<>(size);
    }

    /** Adds the newest sample, dropping the oldest when the window is full. */
    public void add(Sample sample) {
        if (samples.size() == size) {
            samples.removeFirst();
        }
        samples.addLast(sample);
    }

    /** The samples, oldest first. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** How many samples a full window holds. */
    public int size() {
        return size;
    }
}
