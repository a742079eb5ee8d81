package io.jobstream.producer.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers signatures already accepted, each for a while (the scheme's timestamp tolerance), so a captured request
 * cannot be sent again while its timestamp is still fresh. Bounded: beyond {@code capacity} the oldest entries are
 * forgotten (a replay older than that many webhooks is then caught only by the job id). Per process, thread-safe.
 */
public final class ReplayGuard {
    private final int capacity;
    private final Clock clock;
    private final Map<String, Long> seenUntil = new LinkedHashMap<>();

    /** A guard remembering at most {@code capacity} signatures. */
    public ReplayGuard(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records {@code key} for {@code keep}.
     *
     * @return true when it was not seen within its window (first use), false for a replay
     */
    public synchronized boolean firstUse(String key, Duration keep) {
        long now = clock.millis();
        purge(now);
        Long until = seenUntil.get(key);
        if (until != null && until > now) {
            return false;
        }
        seenUntil.put(key, now + keep.toMillis());
        while (seenUntil.size() > capacity) {
            Iterator<String> oldest = seenUntil.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    /** Forgets {@code key}, e.g. when the request it signed could not be enqueued and may be sent again. */
    public synchronized void forget(String key) {
        seenUntil.remove(key);
    }

    private void purge(long now) {
        // Entries are in insertion order and share one window per guard in practice; stop at the first live one.
        Iterator<Map.Entry<String, Long>> entries = seenUntil.entrySet().iterator();
        while (entries.hasNext()) {
            if (entries.next().getValue() > now) {
                return;
            }
            entries.remove();
        }
    }
}
