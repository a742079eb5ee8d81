package io.jobstream.dlq.replay;

import java.util.List;

/**
 * What a replay did.
 *
 * @param matched dead letters the filter matched (up to its limit)
 * @param replayed republished, or for a dry run: would be republished
 * @param skipped not replayable (no decodable job)
 * @param alreadyReplayed skipped because already replayed (0 with force)
 * @param items one per matched dead letter, in replay order
 */
public record ReplaySummary(int matched, int replayed, int skipped, int alreadyReplayed, List<ReplayItem> items) {
    public ReplaySummary {
        items = List.copyOf(items);
    }
}
