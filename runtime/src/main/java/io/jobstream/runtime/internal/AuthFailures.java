package io.jobstream.runtime.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed authentications per client address in a fixed window: past {@code limit} failures an address is refused until
 * its window ends. Remembers at most {@value #MAX_ADDRESSES} addresses (expired windows are dropped first, then the
 * table is cleared: a flood of addresses cannot exhaust memory). Thread-safe.
 */
public final class AuthFailures {
    static final int MAX_ADDRESSES = 100_000;

    private record Window(long startNanos, int failures) {}

    private final int limit;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** {@code limit} failures per {@code window}, timed by {@code nanoTime}. */
    public AuthFailures(int limit, Duration window, LongSupplier nanoTime) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    /** How long {@code address} is still refused, if it is. */
    public Optional<Duration> refusedFor(String address) {
        Window window = windows.get(address);
        if (window == null || window.failures() < limit) {
            return Optional.empty();
        }
        long left = window.startNanos() + windowNanos - nanoTime.getAsLong();
        return left > 0 ? Optional.of(Duration.ofNanos(left)) : Optional.empty();
    }

    /** Counts a failure of {@code address}. */
    public void record(String address) {
        long now = nanoTime.getAsLong();
        if (windows.size() >= MAX_ADDRESSES) {
            sweep(now);
        }
        windows.compute(
                address,
                (a, w) -> w == null || now - w.startNanos() >= windowNanos
                        ? new Window(now, 1)
                        : new Window(w.startNanos(), w.failures() + 1));
    }

    private void sweep(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (now - it.next().startNanos() >= windowNanos) {
                it.remove();
            }
        }
        if (windows.size() >= MAX_ADDRESSES) {
            windows.clear();
        }
    }
}
