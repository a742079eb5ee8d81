package io.jobstream.dlq.replay;

/** Told after each matched dead letter is settled (for a dry run: classified); e.g. to draw a progress bar. */
@FunctionalInterface
public interface ReplayProgress {
    /** Does nothing. */
    ReplayProgress NONE = (item, done, total) -> {};

    /**
     * @param item the dead letter just settled
     * @param done how many are settled, this one included
     * @param total how many matched
     */
    void onItem(ReplayItem item, int done, int total);
}
