package io.jobstream.dlq.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one queue's delay tiers that the delay forwarder has not forwarded yet: the offsets read from each
 * tier partition at or after the forwarder group's committed offset. Counting read records rather than subtracting
 * offsets leaves out the transaction markers the router and the forwarder write between them (each transaction adds
 * one per partition, so offsets would count up to twice the jobs).
 *
 * <p>Holds one offset per waiting job. Not thread-safe: owned by one thread.
 */
public final class TierCount {
    private final Map<TopicPartition, String> tierOf = new HashMap<>();
    private final Map<TopicPartition, NavigableSet<Long>> waiting = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** Counts {@code partition} of the tier named {@code tier} (e.g. {@code 5s}). */
    public void track(TopicPartition partition, String tier) {
        tierOf.put(partition, tier);
        waiting.computeIfAbsent(partition, p -> new TreeSet<>());
    }

    /** The forwarder group's committed offset of {@code partition}, if it has one. */
    public OptionalLong committed(TopicPartition partition) {
        Long offset = committed.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** A record read at {@code offset} of {@code partition}. */
    public void record(TopicPartition partition, long offset) {
        NavigableSet<Long> offsets = waiting.get(partition);
        if (offsets != null && offset >= committed.getOrDefault(partition, 0L)) {
            offsets.add(offset);
        }
    }

    /** The forwarder group committed {@code offset} for {@code partition}: everything before it was forwarded. */
    public void commit(TopicPartition partition, long offset) {
        committed.merge(partition, offset, Math::max);
        NavigableSet<Long> offsets = waiting.get(partition);
        if (offsets != null) {
            offsets.headSet(committed.get(partition), false).clear();
        }
    }

    /** Records not yet forwarded, per tier name; every tracked tier is present, 0 when empty. */
    public Map<String, Long> waiting() {
        Map<String, Long> out = new HashMap<>();
        tierOf.forEach((partition, tier) ->
                out.merge(tier, (long) waiting.get(partition).size(), Long::sum));
        return out;
    }
}
