package io.jobstream.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values one metric tag may take when they come from input (a job's {@code type}): the first {@code max}
 * distinct values keep their own series, every later one is reported as {@value #OTHER}. A hostile or buggy producer
 * sending a new type per job therefore adds at most {@code max} + 1 series, not one per job.
 *
 * <p>Thread-safe; the per-call path for a value already seen is one set lookup.
 */
public final class TagValues {
    /** The value reported for everything past the limit (and for values that are never trusted). */
    public static final String OTHER = "other";

    /** Distinct input values a tag keeps per queue, unless configured otherwise. */
    public static final int DEFAULT_MAX = 100;

    private final int max;
    private final Set<String> kept = ConcurrentHashMap.newKeySet();

    /** A tag keeping at most {@code max} distinct values. */
    public TagValues(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        this.max = max;
    }

    /** {@code value} itself while it is one of the first {@code max} seen, {@value #OTHER} otherwise. */
    public String of(String value) {
        if (kept.contains(value)) {
            return value;
        }
        synchronized (kept) {
            if (kept.size() < max) {
                kept.add(value);
                return value;
            }
        }
        return OTHER;
    }
}
