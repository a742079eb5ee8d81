package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void hasNothingToCommitBeforeAnythingIsHandedOut() {
        // Given a fresh partition
        PartitionProgress progress = new PartitionProgress();

        // Then there is nothing to commit
        assertThat(progress.committable()).isEmpty();
        assertThat(progress.toCommit()).isEmpty();
    }

    @Test
    void commitsTheConsumerPositionPastAMarkerOnceEveryJobFinished() {
        // Given offsets 10 and 11 handed out, and the consumer past the commit marker at 12
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(10);
        progress.handOut(11);
        progress.advancedTo(13);

        // When both finish
        progress.finish(11);
        progress.finish(10);

        // Then the position is committable, not the offset after the last job
        assertThat(progress.committable()).hasValue(13);
        assertThat(progress.toCommit()).hasValue(13);
    }

    @Test
    void commitsThePositionOfAPartitionThatNeverHandedOutAJob() {
        // Given a partition that held only an aborted transaction (records 0..1, the abort marker at 2)
        PartitionProgress progress = new PartitionProgress();

        // When the consumer skipped them
        progress.advancedTo(3);

        // Then the position is committable once
        assertThat(progress.toCommit()).hasValue(3);
        progress.committed(3);
        assertThat(progress.toCommit()).isEmpty();
    }

    @Test
    void aPositionPastAnUnfinishedJobCommitsNothingPastIt() {
        // Given offset 4 handed out and not finished, offset 5 finished, the consumer past a marker at 6
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(4);
        progress.handOut(5);
        progress.finish(5);
        progress.advancedTo(7);

        // Then the first unfinished offset is what is committable
        assertThat(progress.committable()).hasValue(4);
    }

    @Test
    void aPositionBehindTheLastJobDoesNotMoveTheCommitBack() {
        // Given offsets 0..2 handed out and finished, and an earlier position report
        PartitionProgress progress = new PartitionProgress();
        for (long offset = 0; offset < 3; offset++) {
            progress.handOut(offset);
            progress.finish(offset);
        }
        progress.advancedTo(1);

        // Then the offset after the last job is committable
        assertThat(progress.committable()).hasValue(3);
    }

    @Test
    void commitsOnlyUpToTheFirstUnfinishedOffsetWhenJobsFinishOutOfOrder() {
        // Given offsets 10..14 handed out
        PartitionProgress progress = new PartitionProgress();
        for (long offset = 10; offset < 15; offset++) {
            progress.handOut(offset);
        }

        // When 11, 13 and 14 finish before 10 and 12
        progress.finish(11);
        progress.finish(13);
        progress.finish(14);

        // Then nothing past 10 is committable
        assertThat(progress.committable()).hasValue(10);

        // When 10 finishes, the prefix reaches 12
        progress.finish(10);
        assertThat(progress.committable()).hasValue(12);
        assertThat(progress.tracked()).isEqualTo(3);

        // When 12 finishes, everything is done: commit the offset after the last one
        progress.finish(12);
        assertThat(progress.committable()).hasValue(15);
        assertThat(progress.allFinished()).isTrue();
        assertThat(progress.tracked()).isZero();
    }

    @Test
    void toleratesGapsBetweenOffsets() {
        // Given offsets with gaps (compaction, transaction markers)
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(3);
        progress.handOut(7);
        progress.handOut(20);

        // When 3 and 20 finish
        progress.finish(3);
        progress.finish(20);

        // Then the commit stops at 7, the first unfinished offset
        assertThat(progress.committable()).hasValue(7);
        progress.finish(7);
        assertThat(progress.committable()).hasValue(21);
    }

    @Test
    void offersACommitOnlyWhenThePrefixMovedPastTheLastCommit() {
        // Given two finished offsets committed
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(0);
        progress.handOut(1);
        progress.finish(0);
        progress.finish(1);
        assertThat(progress.toCommit()).hasValue(2);
        progress.committed(2);

        // Then there is nothing new to commit until another job finishes
        assertThat(progress.toCommit()).isEmpty();
        progress.handOut(2);
        assertThat(progress.toCommit()).isEmpty();
        progress.finish(2);
        assertThat(progress.toCommit()).hasValue(3);
    }

    @Test
    void ignoresFinishingAnOffsetItDoesNotTrack() {
        // Given one offset handed out and finished
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(5);
        progress.finish(5);

        // When it, or one never handed out, is finished again
        boolean again = progress.finish(5);
        boolean unknown = progress.finish(99);

        // Then nothing changes
        assertThat(again).isFalse();
        assertThat(unknown).isFalse();
        assertThat(progress.committable()).hasValue(6);
    }

    @Test
    void rejectsOffsetsThatDoNotIncrease() {
        // Given offset 4 handed out
        PartitionProgress progress = new PartitionProgress();
        progress.handOut(4);

        // Then handing out 4 or 3 again is a bug
        assertThatThrownBy(() -> progress.handOut(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> progress.handOut(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsOnlyTheOffsetsFromTheFirstUnfinishedOneOn() {
        // Given 100,000 offsets flowing through with at most 50 unfinished at any time
        PartitionProgress progress = new PartitionProgress();
        int maxTracked = 0;
        for (long offset = 0; offset < 100_000; offset++) {
            progress.handOut(offset);
            maxTracked = Math.max(maxTracked, progress.tracked());
            if (offset >= 49) {
                progress.finish(offset - 49);
            }
        }

        // Then no more than those 50 are ever kept
        assertThat(maxTracked).isEqualTo(50);
        assertThat(progress.committable()).hasValue(100_000 - 49);
    }

    @Test
    void agreesWithASimpleModelUnderRandomCompletionOrder() {
        // Given 5,000 offsets finished in a random order
        Random random = new Random(42);
        PartitionProgress progress = new PartitionProgress();
        List<Long> offsets = new ArrayList<>();
        long offset = 100;
        for (int i = 0; i < 5_000; i++) {
            offset += 1 + random.nextInt(3);
            offsets.add(offset);
            progress.handOut(offset);
        }
        List<Long> order = new ArrayList<>(offsets);
        Collections.shuffle(order, random);
        boolean[] done = new boolean[offsets.size()];

        // When each finishes, the committable offset is the first unfinished one (or one past the last)
        for (long finished : order) {
            progress.finish(finished);
            done[offsets.indexOf(finished)] = true;
            int firstOpen = 0;
            while (firstOpen < done.length && done[firstOpen]) {
                firstOpen++;
            }
            long expected = firstOpen < done.length ? offsets.get(firstOpen) : offsets.getLast() + 1;
            assertThat(progress.committable()).hasValue(expected);
        }
    }
}
