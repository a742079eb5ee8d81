package io.jobstream.coordination.internal;

import java.time.Instant;

/** GCRA arithmetic shared by both stores. */
final class RateMath {

    private RateMath() {}

    /** Microseconds between two permits at {@code permitsPerSecond} (at least 1). */
    static long intervalMicros(double permitsPerSecond) {
        return Math.max(1, Math.round(1_000_000d / permitsPerSecond));
    }

    static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }
}
