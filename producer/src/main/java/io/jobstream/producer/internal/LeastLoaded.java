package io.jobstream.producer.internal;

import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The least-loaded choice: per queue, the workers' lag per partition from the last snapshot plus the jobs this
 * publisher sent to each partition since, and the partition where that sum is smallest (ties taken in turn, so equal
 * partitions share the load). Counting our own sends keeps one slow refresh from sending everything to one
 * partition. Thread-safe: a snapshot is replaced atomically, counters are atomic; a choice racing a refresh may use
 * either snapshot, which is fine for a load heuristic.
 */
public final class LeastLoaded {
    private record Snapshot(long[] lag, AtomicLongArray sentSince) {}

    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tieBreak = new AtomicInteger();

    /** Registers {@code queue} so the refresher keeps its snapshot. */
    public void register(String queue) {
        queues.add(queue);
    }

    /** The queues seen so far. */
    public Set<String> queues() {
        return Set.copyOf(queues);
    }

    /** Replaces the snapshot of {@code queue}: {@code lag[p]} is partition {@code p}'s backlog. */
    public void update(String queue, long[] lag) {
        snapshots.put(queue, new Snapshot(lag.clone(), new AtomicLongArray(lag.length)));
    }

    /** Whether {@code queue} has a snapshot. */
    public boolean hasSnapshot(String queue) {
        return snapshots.containsKey(queue);
    }

    /**
     * The partition of {@code queue} (of {@code partitions}) with the smallest estimated backlog, counting this job as
     * sent there; empty when there is no snapshot or it was taken for another partition count (then hash).
     */
    public OptionalInt choose(String queue, int partitions) {
        Snapshot snapshot = snapshots.get(queue);
        if (snapshot == null || snapshot.lag().length != partitions || partitions == 0) {
            return OptionalInt.empty();
        }
        int start = Math.floorMod(tieBreak.getAndIncrement(), partitions);
        int best = -1;
        long bestLoad = Long.MAX_VALUE;
        for (int i = 0; i < partitions; i++) {
            int p = (start + i) % partitions;
            long load = snapshot.lag()[p] + snapshot.sentSince().get(p);
            if (load < bestLoad) {
                best = p;
                bestLoad = load;
            }
        }
        snapshot.sentSince().incrementAndGet(best);
        return OptionalInt.of(best);
    }
}
