package io.jobstream.dlq;

import java.util.Objects;

/**
 * What a replay did with one matched dead letter.
 *
 * @param entry the dead letter
 * @param outcome what happened
 */
public record ReplayItem(DeadLetterEntry entry, Outcome outcome) {
    /** What happened to one dead letter. */
    public enum Outcome {
        /** Republished (and recorded as replayed). */
        REPLAYED,
        /** Dry run: would be republished. */
        WOULD_REPLAY,
        /** Already recorded as replayed; not republished (use force). */
        ALREADY_REPLAYED,
        /** Holds no decodable job, so there is nothing to republish. */
        SKIPPED_NO_JOB
    }

    public ReplayItem {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(outcome, "outcome");
    }
}
