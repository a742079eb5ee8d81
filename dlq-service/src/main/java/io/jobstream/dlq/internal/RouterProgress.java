package io.jobstream.dlq.internal;

import io.jobstream.runtime.LagSampler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether one queue's failure router is making progress, judged from samples of its consumer group: a partition
 * stalls when failures wait in it (lag above 0) and its committed offset has not moved in every sample for {@code
 * timeout}. A sample with lag 0 or a moved offset clears it; a sample that could not be read forgets every partition
 * (progress is judged only over samples seen one after another, so an outage of the cluster is never read as a stall
 * once it ends); a state restore that made progress within {@code timeout} (the router rebuilding its store of routed
 * attempts, when it commits nothing) means no stall.
 *
 * <p>Not thread-safe: one watchdog thread owns it.
 */
public final class RouterProgress {

    /** A router that made no progress: {@code waiting} failures in its input, none routed since {@code since}. */
    public record Stall(long waiting, Instant since, List<TopicPartition> partitions) {
        public Stall {
            partitions = List.copyOf(partitions);
        }
    }

    private record Seen(long committed, Instant since) {}

    private final Duration timeout;
    private final Map<TopicPartition, Seen> waiting = new HashMap<>();
    private final Map<TopicPartition, Long> lags = new HashMap<>();
    private Instant restoredAt = Instant.MIN;

    /** Judges a stall after {@code timeout} without progress. */
    public RouterProgress(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** A sample of the router's group, read at {@code now}. */
    public void observe(Instant now, List<LagSampler.PartitionLag> partitions) {
        Map<TopicPartition, Seen> next = new HashMap<>();
        lags.clear();
        for (LagSampler.PartitionLag p : partitions) {
            if (p.lag() <= 0 || p.committed().isEmpty()) {
                continue; // nothing waits, or the router never committed here (it has not started on it)
            }
            long committed = p.committed().getAsLong();
            Seen before = waiting.get(p.partition());
            next.put(
                    p.partition(),
                    before != null && before.committed() == committed ? before : new Seen(committed, now));
            lags.put(p.partition(), p.lag());
        }
        waiting.clear();
        waiting.putAll(next);
    }

    /** The router's group could not be read: what was seen before is forgotten. */
    public void sampleFailed() {
        waiting.clear();
        lags.clear();
    }

    /** A restore of the router's state made progress at {@code at}. */
    public void restored(Instant at) {
        if (at.isAfter(restoredAt)) {
            restoredAt = at;
        }
    }

    /** The stall at {@code now}, if any: the partitions stuck for at least the timeout, and what waits in them. */
    public Optional<Stall> stall(Instant now) {
        if (Duration.between(restoredAt, now).compareTo(timeout) < 0) {
            return Optional.empty();
        }
        Instant since = null;
        long stuck = 0;
        List<TopicPartition> partitions = new java.util.ArrayList<>();
        for (Map.Entry<TopicPartition, Seen> entry : waiting.entrySet()) {
            Instant from = entry.getValue().since();
            if (Duration.between(from, now).compareTo(timeout) >= 0) {
                stuck += lags.getOrDefault(entry.getKey(), 0L);
                partitions.add(entry.getKey());
                since = since == null || from.isBefore(since) ? from : since;
            }
        }
        if (partitions.isEmpty()) {
            return Optional.empty();
        }
        partitions.sort(java.util.Comparator.comparing(TopicPartition::toString));
        return Optional.of(new Stall(stuck, since, partitions));
    }
}
