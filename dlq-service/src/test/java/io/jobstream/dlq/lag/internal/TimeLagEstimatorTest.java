package io.jobstream.dlq.lag.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeLagEstimatorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void aCaughtUpConsumerHasNoTimeLag() {
        // Given end samples up to 300
        TimeLagEstimator table = new TimeLagEstimator(8);
        table.record(100, at(0));
        table.record(300, at(1));
        // When the committed offset is the log end (or beyond it)
        // Then there is no time lag
        assertThat(table.estimate(300, at(5)).lag()).isZero();
        assertThat(table.estimate(350, at(5)).lag()).isZero();
    }

    @Test
    void interpolatesWhenTheCommittedOffsetWasTheLogEnd() {
        // Given a steady 100 records per second, sampled each second
        TimeLagEstimator table = new TimeLagEstimator(16);
        for (int s = 0; s <= 5; s++) {
            table.record(100L * s, at(s));
        }
        // When the consumer has committed 250: record 250 was written while the end went 200 → 300 (t 2 s → 3 s),
        // at 2 s + 51/100 s
        TimeLagEstimator.Estimate estimate = table.estimate(250, at(5));
        // Then its time lag is 5 s - 2.51 s, exact
        assertThat(estimate.lag()).isEqualTo(Duration.ofMillis(2_490));
        assertThat(estimate.lowerBound()).isFalse();
    }

    @Test
    void aConsumerCaughtUpAtASampleLagsFromTheFirstRecordAfterIt() {
        // Given end 200 at 2 s and 300 at 3 s
        TimeLagEstimator table = new TimeLagEstimator(16);
        table.record(200, at(2));
        table.record(300, at(3));
        // When the consumer committed exactly 200 (it had read everything at 2 s)
        // Then its oldest unread record was written 1/100 s after 2 s
        assertThat(table.estimate(200, at(10)).lag()).isEqualTo(Duration.ofMillis(7_990));
    }

    @Test
    void aRecordOlderThanTheTableGivesTheOldestSamplesAgeAsALowerBound() {
        // Given the first sample saw end 1000 at 0 s
        TimeLagEstimator table = new TimeLagEstimator(8);
        table.record(1_000, at(0));
        table.record(1_100, at(1));
        // When the consumer is at 400, written before anything the table saw
        TimeLagEstimator.Estimate estimate = table.estimate(400, at(7));
        // Then the time lag is at least the oldest sample's age, and says so
        assertThat(estimate.lag()).isEqualTo(Duration.ofSeconds(7));
        assertThat(estimate.lowerBound()).isTrue();
    }

    @Test
    void aPlateauKeepsItsFirstAndLastSightingOnly() {
        // Given a partition idle at end 100 for 5 samples, then 200
        TimeLagEstimator table = new TimeLagEstimator(8);
        for (int s = 0; s <= 5; s++) {
            table.record(100, at(s));
        }
        table.record(200, at(6));
        // When the consumer is at 100
        // Then the table holds 3 entries, and record 100 was written after the last sighting of end 100 (5 s)
        assertThat(table.entries()).isEqualTo(3);
        assertThat(table.estimate(100, at(10)).lag()).isEqualTo(Duration.ofMillis(4_990));
    }

    @Test
    void aFullTableThinsItsOlderHalfAndKeepsItsOldestSample() {
        // Given 8 entries at most and 100 samples of a steady 10 records per second
        TimeLagEstimator table = new TimeLagEstimator(8);
        for (int s = 0; s < 100; s++) {
            table.record(10L * s, at(s));
        }
        // When estimating a record from the start and one from the last seconds
        // Then the table stays bounded, still reaches back to 0 s, and is exact for recent records
        assertThat(table.entries()).isLessThanOrEqualTo(8);
        TimeLagEstimator.Estimate old = table.estimate(5, at(100));
        assertThat(old.lowerBound()).isFalse();
        assertThat(old.lag()).isLessThanOrEqualTo(Duration.ofSeconds(100)).isGreaterThan(Duration.ofSeconds(50));
        assertThat(table.estimate(985, at(100)).lag()).isEqualTo(Duration.ofMillis(1_400));
    }

    @Test
    void aLogEndGoingBackwardsStartsTheTableOver() {
        // Given a topic re-created: the end falls from 5000 to 10
        TimeLagEstimator table = new TimeLagEstimator(8);
        table.record(4_000, at(0));
        table.record(5_000, at(1));
        table.record(10, at(2));
        // When the consumer is at 0
        // Then only the new sample counts (a lower bound of its age)
        assertThat(table.entries()).isEqualTo(1);
        assertThat(table.estimate(0, at(3))).isEqualTo(new TimeLagEstimator.Estimate(Duration.ofSeconds(1), true));
    }

    @Test
    void refusesATinyTable() {
        assertThatThrownBy(() -> new TimeLagEstimator(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
