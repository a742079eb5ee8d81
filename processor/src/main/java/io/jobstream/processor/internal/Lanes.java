package io.jobstream.processor.internal;

import io.jobstream.processor.OrderingMode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides which fetched jobs may start, by {@link OrderingMode}: one lane per ordering key ({@code KEY}) or per
 * partition ({@code PARTITION}), each with at most one job started and not yet {@link #release(Object) released};
 * the others wait in the lane in the order they were {@link #offer(Object) offered}. {@code UNORDERED} (and a record
 * without a key in {@code KEY} mode) has no lane: the job is ready at once.
 *
 * <p>Jobs that may start wait in a FIFO of ready jobs ({@link #nextReady()}); the caller applies its concurrency
 * limit by deciding how many to take. A lane is identified by partition and key, and remembers which job holds it:
 * releasing a job whose lane was {@link #dropPartition(TopicPartition) dropped} (a revoked partition) changes
 * nothing, even if the partition came back and its key has a new lane.
 *
 * <p>Not thread-safe: owned by the poll thread. Memory is proportional to the jobs offered and not yet released.
 *
 * @param <T> the job type
 */
public final class Lanes<T> {
    private final OrderingMode mode;
    private final Function<T, TopicPartition> partitionOf;
    private final Function<T, byte[]> keyOf;
    private final Map<Object, Lane<T>> lanes = new HashMap<>();
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    private int waiting;

    /**
     * @param mode the ordering
     * @param partitionOf a job's partition
     * @param keyOf a job's ordering key (the record key), or null when it has none
     */
    public Lanes(OrderingMode mode, Function<T, TopicPartition> partitionOf, Function<T, byte[]> keyOf) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.partitionOf = Objects.requireNonNull(partitionOf, "partitionOf");
        this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    }

    /** Adds a job in partition order: ready at once when its lane is free, else queued behind the lane's jobs. */
    public void offer(T job) {
        Object key = laneKey(job);
        if (key == null) {
            ready.add(job);
            return;
        }
        Lane<T> lane = lanes.get(key);
        if (lane == null) {
            lanes.put(key, new Lane<>(partitionOf.apply(job), job));
            ready.add(job);
        } else {
            if (lane.waiting == null) {
                lane.waiting = new ArrayDeque<>(2);
            }
            lane.waiting.add(job);
            waiting++;
        }
    }

    /** The next job that may start, or null. */
    public T nextReady() {
        return ready.poll();
    }

    /** Whether a job is ready to start. */
    public boolean hasReady() {
        return !ready.isEmpty();
    }

    /** Marks {@code job} done: the next job of its lane (if any) becomes ready. */
    public void release(T job) {
        Object key = laneKey(job);
        if (key == null) {
            return;
        }
        Lane<T> lane = lanes.get(key);
        if (lane == null || lane.current != job) {
            return;
        }
        T next = lane.waiting == null ? null : lane.waiting.poll();
        if (next == null) {
            lanes.remove(key);
        } else {
            waiting--;
            lane.current = next;
            ready.add(next);
        }
    }

    /**
     * Forgets every job of {@code partition} that has not started (ready or waiting in a lane) and its lanes; returns
     * how many jobs were dropped. Jobs of the partition already started are released as no-ops later.
     */
    public int dropPartition(TopicPartition partition) {
        int before = ready.size() + waiting;
        ready.removeIf(job -> partitionOf.apply(job).equals(partition));
        lanes.values().removeIf(lane -> {
            if (lane.partition.equals(partition)) {
                waiting -= lane.waiting == null ? 0 : lane.waiting.size();
                return true;
            }
            return false;
        });
        return before - (ready.size() + waiting);
    }

    /** Jobs offered and not yet started: ready ones and those waiting in lanes. */
    public int notStarted() {
        return ready.size() + waiting;
    }

    /** Lanes that hold a job (for tests and metrics). */
    public int laneCount() {
        return lanes.size();
    }

    private Object laneKey(T job) {
        return switch (mode) {
            case UNORDERED -> null;
            case PARTITION -> partitionOf.apply(job);
            case KEY -> {
                byte[] key = keyOf.apply(job);
                yield key == null ? null : new KeyLane(partitionOf.apply(job), key);
            }
        };
    }

    /** A key lane's identity: partition and key bytes, hashed once ({@code Arrays.hashCode} is vectorised). */
    private static final class KeyLane {
        private final TopicPartition partition;
        private final byte[] key;
        private final int hash;

        KeyLane(TopicPartition partition, byte[] key) {
            this.partition = partition;
            this.key = key;
            this.hash = 31 * partition.hashCode() + Arrays.hashCode(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof KeyLane that
                    && hash == that.hash
                    && Arrays.equals(key, that.key)
                    && partition.equals(that.partition);
        }
    }

    private static final class Lane<T> {
        final TopicPartition partition;
        /** Jobs behind the current one; null until a second job of the key arrives (most keys never get one). */
        ArrayDeque<T> waiting;

        T current;

        Lane(TopicPartition partition, T current) {
            this.partition = partition;
            this.current = current;
        }
    }
}
