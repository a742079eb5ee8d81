package io.jobstream.dlq.replay;

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
        SKIPPED_NO_JOB,
        /**
         * Trimmed (its job was too large to keep whole, header {@code jobstream.trimmed}): the payload is not here, so
         * it is not republished; the header names the record that holds the job.
         */
        SKIPPED_TRIMMED
    }

    public ReplayItem {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(outcome, "outcome");
    }
}
