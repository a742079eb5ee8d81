package io.jobstream.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.LagSampler.PartitionLag;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RouterProgressTest {
    private static final TopicPartition P0 = new TopicPartition("jobs.failed", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs.failed", 1);
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static PartitionLag lag(TopicPartition partition, long committed, long end) {
        return new PartitionLag(partition, OptionalLong.of(committed), end, end - committed);
    }

    @Test
    void failuresWaitingBehindACommittedOffsetThatStandsStillForTheTimeoutAreAStall() {
        RouterProgress progress = new RouterProgress(TIMEOUT);
        progress.observe(T0, List.of(lag(P0, 10, 15), lag(P1, 4, 4)));
        progress.observe(T0.plusSeconds(59), List.of(lag(P0, 10, 17), lag(P1, 4, 4)));
        assertThat(progress.stall(T0.plusSeconds(59))).isEmpty();

        progress.observe(T0.plusSeconds(60), List.of(lag(P0, 10, 18), lag(P1, 4, 4)));

        assertThat(progress.stall(T0.plusSeconds(60))).hasValueSatisfying(stall -> {
            assertThat(stall.waiting()).isEqualTo(8);
            assertThat(stall.partitions()).containsExactly(P0);
            assertThat(stall.since()).isEqualTo(T0);
        });
    }

    @Test
    void anOffsetThatMovesOrALagOfZeroIsProgress() {
        RouterProgress progress = new RouterProgress(TIMEOUT);
        progress.observe(T0, List.of(lag(P0, 10, 15)));
        progress.observe(T0.plusSeconds(50), List.of(lag(P0, 11, 15))); // routed one
        progress.observe(T0.plusSeconds(100), List.of(lag(P0, 11, 15)));
        assertThat(progress.stall(T0.plusSeconds(100))).isEmpty(); // stuck since 50 s only

        progress.observe(T0.plusSeconds(105), List.of(lag(P0, 15, 15))); // caught up
        progress.observe(T0.plusSeconds(110), List.of(lag(P0, 15, 16)));
        progress.observe(T0.plusSeconds(169), List.of(lag(P0, 15, 16)));
        assertThat(progress.stall(T0.plusSeconds(169))).isEmpty();
        progress.observe(T0.plusSeconds(170), List.of(lag(P0, 15, 16)));
        assertThat(progress.stall(T0.plusSeconds(170))).isPresent();
    }

    @Test
    void aSampleThatFailedForgetsWhatWasSeenSoAnOutageIsNotReadAsAStall() {
        RouterProgress progress = new RouterProgress(TIMEOUT);
        progress.observe(T0, List.of(lag(P0, 10, 15)));
        progress.sampleFailed(); // the cluster was unreachable for a while
        progress.observe(T0.plusSeconds(120), List.of(lag(P0, 10, 15)));
        assertThat(progress.stall(T0.plusSeconds(120))).isEmpty();
        progress.observe(T0.plusSeconds(180), List.of(lag(P0, 10, 15)));
        assertThat(progress.stall(T0.plusSeconds(180))).isPresent();
    }

    @Test
    void aRestoreThatMadeProgressWithinTheTimeoutIsNoStall() {
        RouterProgress progress = new RouterProgress(TIMEOUT);
        progress.observe(T0, List.of(lag(P0, 10, 15)));
        progress.restored(T0.plusSeconds(30));
        progress.observe(T0.plusSeconds(80), List.of(lag(P0, 10, 15)));
        assertThat(progress.stall(T0.plusSeconds(80))).isEmpty();
        assertThat(progress.stall(T0.plusSeconds(90))).isPresent();
    }

    @Test
    void aPartitionTheRouterNeverCommittedToIsNotJudged() {
        RouterProgress progress = new RouterProgress(TIMEOUT);
        PartitionLag never = new PartitionLag(P0, OptionalLong.empty(), 5, 5);
        progress.observe(T0, List.of(never));
        progress.observe(T0.plusSeconds(300), List.of(never));
        assertThat(progress.stall(T0.plusSeconds(300))).isEmpty();
    }
}
