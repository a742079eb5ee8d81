package io.jobstream.dlq.lag.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.lag.LagStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusEvaluatorTest {
    private static final int SIZE = 4;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A window from (committed, end) pairs one interval apart, owned or not throughout. */
    private static List<LagWindow.Sample> window(boolean owned, long... committedAndEnd) {
        List<LagWindow.Sample> samples = new ArrayList<>();
        for (int i = 0; i < committedAndEnd.length; i += 2) {
            samples.add(new LagWindow.Sample(
                    T0.plus(Duration.ofSeconds(10L * i / 2)), committedAndEnd[i], committedAndEnd[i + 1], owned));
        }
        return samples;
    }

    @Test
    void anEmptyWindowIsOk() {
        // Given no samples, When evaluated, Then OK
        assertThat(StatusEvaluator.evaluate(List.of(), SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aCaughtUpConsumerIsOk() {
        // Given a consumer at the log end in every sample
        var samples = window(true, 10, 10, 20, 20, 30, 30, 40, 40);
        // When evaluated, Then OK
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aZeroLagAnywhereInTheWindowIsOkEvenWithoutCommits() {
        // Given a consumer caught up in the oldest sample that has not moved since (nobody owns the partition)
        var samples = window(false, 100, 100, 100, 150, 100, 200, 100, 250);
        // When evaluated, Then OK: it caught up within the window
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aPartialWindowWithoutProgressIsStillOk() {
        // Given three of four samples without a commit and lag
        var samples = window(false, 100, 200, 100, 300, 100, 400);
        // When evaluated, Then OK until the window is full
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void anUnownedPartitionWhoseOffsetDidNotMoveForTheWindowIsStopped() {
        // Given a full window, committed offset fixed, lag > 0, no member owning the partition
        var samples = window(false, 100, 5100, 100, 5100, 100, 5100, 100, 5100);
        // When evaluated, Then STOP
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void anOwnedPartitionWhoseOffsetDidNotMoveForTheWindowIsStalled() {
        // Given a full window, committed offset fixed (the same offset committed again and again), lag > 0, owned
        var samples = window(true, 100, 200, 100, 210, 100, 220, 100, 230);
        // When evaluated, Then STALL
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.STALL);
    }

    @Test
    void aPartitionWhoseOwnerLeftIsStoppedNotStalled() {
        // Given a fixed committed offset with lag, owned at first but no longer in the newest sample
        List<LagWindow.Sample> samples = new ArrayList<>(window(true, 100, 200, 100, 200, 100, 200));
        samples.add(new LagWindow.Sample(T0.plusSeconds(30), 100, 200, false));
        // When evaluated, Then STOP: the newest sample decides
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void aPartitionJustAssignedAgainIsStillStoppedUntilItsOwnerHadAWindowToCommit() {
        // Given a fixed committed offset with lag, unowned, then owned in the newest sample only
        List<LagWindow.Sample> samples = new ArrayList<>(window(false, 100, 200, 100, 200, 100, 200));
        samples.add(new LagWindow.Sample(T0.plusSeconds(30), 100, 200, true));
        // When evaluated, Then STOP, not STALL
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void aCommittedOffsetGoingBackwardsIsARewind() {
        // Given a committed offset that went from 500 to 100
        var samples = window(true, 400, 600, 500, 600, 100, 600);
        // When evaluated (even with a partial window), Then REWIND
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.REWIND);
    }

    @Test
    void aRewindWinsOverCaughtUpAndStopped() {
        // Given a rewind in a window that also holds a zero lag and no owner
        var samples = window(false, 600, 600, 0, 600, 0, 600, 0, 600);
        // When evaluated, Then REWIND
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.REWIND);
    }

    @Test
    void aRewindLeavesWithTheWindow() {
        // Given the window after a rewind slid out of it: fixed offset with lag and no owner
        var samples = window(false, 0, 600, 0, 600, 0, 600, 0, 600);
        // When evaluated, Then STOP
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void aCommittingConsumerWhoseLagGrowsAtEverySampleIsWarned() {
        // Given commits moving forward while the lag grows 100 → 150 → 150 → 300
        var samples = window(true, 100, 200, 150, 300, 250, 400, 300, 600);
        // When evaluated, Then WARN
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.WARN);
    }

    @Test
    void aLagThatShrankOnceInTheWindowIsOk() {
        // Given commits moving, lag 100 → 200 → 150 → 300
        var samples = window(true, 100, 200, 100, 300, 250, 400, 300, 600);
        // When evaluated, Then OK
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aSteadyLagWhileCommittingIsOk() {
        // Given commits moving with a constant lag of 50
        var samples = window(true, 100, 150, 200, 250, 300, 350, 400, 450);
        // When evaluated, Then OK: not growing
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aShrinkingLagIsOk() {
        // Given commits catching up
        var samples = window(false, 100, 1000, 400, 1000, 700, 1000, 900, 1000);
        // When evaluated, Then OK
        assertThat(StatusEvaluator.evaluate(samples, SIZE)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aWindowSlidesOverTheLastSizeSamples() {
        // Given a window of 4 fed with 6 samples: 2 moving commits, then 4 without
        LagWindow window = new LagWindow(SIZE);
        window.add(new LagWindow.Sample(T0, 0, 100, false));
        window.add(new LagWindow.Sample(T0.plusSeconds(1), 50, 100, false));
        for (int i = 2; i < 6; i++) {
            window.add(new LagWindow.Sample(T0.plusSeconds(i), 60, 100, false));
        }
        // When evaluated, Then only the newest 4 count: the offset did not move in them, so STOP
        assertThat(window.samples()).hasSize(SIZE);
        assertThat(window.samples().getFirst().at()).isEqualTo(T0.plusSeconds(2));
        assertThat(StatusEvaluator.evaluate(window.samples(), SIZE)).isEqualTo(LagStatus.STOP);
    }
}
