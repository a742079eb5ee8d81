package io.jobstream.dlq.lag.internal;

import io.jobstream.dlq.lag.LagStatus;
import java.util.List;

/**
 * Burrow's rules, as a pure function of one partition's sliding window of samples. In order:
 *
 * <ol>
 *   <li>{@code REWIND} when the committed offset went backwards between two samples of the window;
 *   <li>{@code OK} when the lag was zero in any sample of the window (the consumer caught up within it);
 *   <li>{@code OK} while the window is not full yet (too little evidence for anything worse);
 *   <li>when the committed offset did not move across the whole window (and so lagged throughout): {@code STALL}
 *       if a member owned the partition in every sample of the window (it is there but not progressing, e.g.
 *       committing the same offset again and again, or paused), else {@code STOP} (nobody consumed it for at least
 *       part of the window: a consumer that just got the partition back has a window to commit before it counts
 *       as stalled);
 *   <li>{@code WARN} when the committed offset moved but the lag never shrank from one sample to the next and grew
 *       across the window (the consumer is falling behind);
 *   <li>otherwise {@code OK}.
 * </ol>
 *
 * <p>Unlike Burrow, which reads every commit (with its timestamp) from {@code __consumer_offsets}, the monitor sees
 * only the committed offset through the Admin API: a commit of the same offset is invisible. So "no commits for
 * longer than the window" is read as "the committed offset did not move for the whole window", and whether a
 * member still owns the partition separates a stalled consumer from a stopped one. {@code ERR} is decided by the
 * monitor, not here: it means the group could not be read.
 */
public final class StatusEvaluator {
    private StatusEvaluator() {}

    /**
     * The status of a partition given its window.
     *
     * @param window the samples, oldest first (at most {@code windowSize})
     * @param windowSize how many samples a full window holds
     */
    public static LagStatus evaluate(List<LagWindow.Sample> window, int windowSize) {
        if (window.isEmpty()) {
            return LagStatus.OK;
        }
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).committed() < window.get(i - 1).committed()) {
                return LagStatus.REWIND;
            }
        }
        if (window.stream().anyMatch(s -> s.lag() == 0)) {
            return LagStatus.OK;
        }
        if (window.size() < windowSize) {
            return LagStatus.OK;
        }
        LagWindow.Sample first = window.getFirst();
        LagWindow.Sample last = window.getLast();
        if (first.committed() == last.committed()) {
            return window.stream().allMatch(LagWindow.Sample::owned) ? LagStatus.STALL : LagStatus.STOP;
        }
        boolean neverShrank = true;
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).lag() < window.get(i - 1).lag()) {
                neverShrank = false;
                break;
            }
        }
        return neverShrank && last.lag() > first.lag() ? LagStatus.WARN : LagStatus.OK;
    }
}
