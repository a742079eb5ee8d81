package io.jobstream.processor.internal;

import java.util.OptionalLong;

/**
 * One partition's offsets handed out to jobs and which of them have finished, so the poll thread commits only the
 * offset after the contiguous finished prefix.
 *
 * <p>Offsets are {@link #handOut(long) handed out} in increasing order (the order records arrive in; gaps from
 * compaction or transaction markers are fine) and {@link #finish(long) finished} in any order. Only offsets at or
 * after the first unfinished one are kept, in a ring buffer: memory is proportional to {@link #tracked()}, which the
 * poll thread bounds by pausing the partition when it reaches {@code jobstream.worker.max-pending-per-partition}.
 *
 * <p>The consumer's {@link #advancedTo(long) position} can be past the last offset handed out: a {@code
 * read_committed} consumer skips transaction markers (the delay forwarder and replay write the queue in transactions)
 * and aborted records without returning them. When every job handed out has finished, the offset to commit is that
 * position, so the committed offset reaches the log end and lag reads 0 — also on a partition that never returned a
 * record.
 *
 * <p>Not thread-safe: owned by the poll thread.
 */
public final class PartitionProgress {
    private static final int SHRINK_ABOVE = 4096;

    private long[] offsets = new long[16];
    private boolean[] finished = new boolean[16];
    private int head;
    private int size;
    private long lastHandedOut = -1;
    private long position = -1;
    private long lastCommitted = -1;
    private int running;
    private final WriteGate writes = new WriteGate();

    /** Records that the job at {@code offset} was handed out; offsets must increase. */
    public void handOut(long offset) {
        if (offset <= lastHandedOut) {
            throw new IllegalArgumentException(
                    "offset " + offset + " handed out after " + lastHandedOut + "; offsets must increase");
        }
        if (lastHandedOut < 0 && lastCommitted < 0) {
            lastCommitted = offset; // where this assignment started: nothing to commit until a job finishes
        }
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) % offsets.length;
        offsets[slot] = offset;
        finished[slot] = false;
        size++;
        lastHandedOut = offset;
    }

    /**
     * Records that the job at {@code offset} finished (succeeded, or its failure was acknowledged). Finishing an offset
     * that is not tracked (already in the committed prefix, or never handed out) returns false and changes nothing.
     */
    public boolean finish(long offset) {
        int index = indexOf(offset);
        if (index < 0) {
            return false;
        }
        finished[(head + index) % offsets.length] = true;
        while (size > 0 && finished[head]) {
            head = (head + 1) % offsets.length;
            size--;
        }
        if (size == 0 && offsets.length > SHRINK_ABOVE) {
            offsets = new long[16];
            finished = new boolean[16];
            head = 0;
        }
        return true;
    }

    /**
     * Records the consumer's position after a poll ({@code ConsumerRecords.nextOffsets()}): every record before it
     * was either handed out or is one a {@code read_committed} consumer never returns (a marker, an aborted record).
     */
    public void advancedTo(long nextOffset) {
        position = Math.max(position, nextOffset);
    }

    /**
     * The offset to commit: the one after the contiguous finished prefix (the first unfinished offset; when all
     * finished, the consumer's position, or the one after the last handed out if that is further); empty before
     * anything was handed out or skipped.
     */
    public OptionalLong committable() {
        if (size > 0) {
            return OptionalLong.of(offsets[head]);
        }
        long next = Math.max(lastHandedOut + 1, position);
        return next <= 0 ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** {@link #committable()} when it is past the last {@link #committed(long) committed} offset. */
    public OptionalLong toCommit() {
        OptionalLong next = committable();
        return next.isPresent() && next.getAsLong() > lastCommitted ? next : OptionalLong.empty();
    }

    /** Remembers that {@code offset} was committed. */
    public void committed(long offset) {
        lastCommitted = Math.max(lastCommitted, offset);
    }

    /** Offsets handed out and kept: unfinished ones and finished ones behind an unfinished one. */
    public int tracked() {
        return size;
    }

    /** Whether {@code offset} is after every offset handed out so far (a record seen again is not). */
    public boolean isNew(long offset) {
        return offset > lastHandedOut;
    }

    /** Counts a job of this partition as started. */
    public void started() {
        running++;
    }

    /** Counts a job of this partition as no longer running (finished or abandoned). */
    public void ended() {
        running--;
    }

    /** Jobs of this partition started and not yet ended. */
    public int running() {
        return running;
    }

    /** The gate the jobs of this assignment write through; closed when the partition is revoked or lost. */
    public WriteGate writes() {
        return writes;
    }

    /** Whether every offset handed out has finished. */
    public boolean allFinished() {
        return size == 0;
    }

    private int indexOf(long offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = offsets[(head + mid) % offsets.length];
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private void grow() {
        int capacity = offsets.length * 2;
        long[] newOffsets = new long[capacity];
        boolean[] newFinished = new boolean[capacity];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            newOffsets[i] = offsets[slot];
            newFinished[i] = finished[slot];
        }
        offsets = newOffsets;
        finished = newFinished;
        head = 0;
    }

    @Override
    public String toString() {
        return "PartitionProgress[tracked=" + size + ", committable=" + committable() + ", lastCommitted="
                + lastCommitted + "]";
    }
}
