package io.jobstream.dlq.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dead letters of one queue that wait: those in the retained log of {@code <queue>.dlq} not recorded as replayed
 * in {@code <queue>.dlq.replayed}, counted by type. Fed in any order with the records of both topics and the log
 * start offsets of {@code <queue>.dlq}: a dead letter leaves the count when it is replayed or when retention deletes
 * it; a replay record removed again (a tombstone under its key) puts its dead letter back.
 *
 * <p>Holds one entry per retained dead letter and one per replay record whose dead letter is retained (or not read
 * yet). Not thread-safe: owned by one thread; {@link #waiting()} gives a copy.
 */
public final class DeadLetterCount {
    private final Map<Integer, NavigableMap<Long, String>> letters = new HashMap<>();
    private final Map<Integer, Set<Long>> replayed = new HashMap<>();
    private final Map<String, Long> waiting = new HashMap<>();

    /** A dead letter of {@code type} at {@code partition}/{@code offset} of {@code <queue>.dlq}. */
    public void deadLetter(int partition, long offset, String type) {
        if (letters.computeIfAbsent(partition, p -> new TreeMap<>()).putIfAbsent(offset, type) == null
                && !replayed(partition).contains(offset)) {
            waiting.merge(type, 1L, Long::sum);
        }
    }

    /** A record of {@code <queue>.dlq.replayed}: the dead letter at {@code partition}/{@code offset} was replayed. */
    public void replayed(int partition, long offset) {
        if (replayed(partition).add(offset)) {
            String type = letter(partition, offset);
            if (type != null) {
                waiting.merge(type, -1L, Long::sum);
            }
        }
    }

    /** A tombstone in {@code <queue>.dlq.replayed}: the dead letter at {@code partition}/{@code offset} waits again. */
    public void unreplayed(int partition, long offset) {
        if (replayed(partition).remove(offset)) {
            String type = letter(partition, offset);
            if (type != null) {
                waiting.merge(type, 1L, Long::sum);
            }
        }
    }

    /** Retention deleted everything of {@code partition} before {@code startOffset}. */
    public void logStart(int partition, long startOffset) {
        NavigableMap<Long, String> byOffset = letters.get(partition);
        Set<Long> replays = replayed(partition);
        if (byOffset != null) {
            NavigableMap<Long, String> gone = byOffset.headMap(startOffset, false);
            gone.forEach((offset, type) -> {
                if (!replays.contains(offset)) {
                    waiting.merge(type, -1L, Long::sum);
                }
            });
            gone.clear();
        }
        replays.removeIf(offset -> offset < startOffset);
    }

    /** The waiting dead letters by type; a type whose dead letters all left stays, at 0. */
    public Map<String, Long> waiting() {
        return Map.copyOf(waiting);
    }

    /** Dead letters held (waiting or replayed, still retained): what this count costs in memory. */
    public long retained() {
        return letters.values().stream().mapToLong(Map::size).sum();
    }

    private String letter(int partition, long offset) {
        NavigableMap<Long, String> byOffset = letters.get(partition);
        return byOffset == null ? null : byOffset.get(offset);
    }

    private Set<Long> replayed(int partition) {
        return replayed.computeIfAbsent(partition, p -> new HashSet<>());
    }
}
