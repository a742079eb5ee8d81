package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.processor.OrderingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LanesTest {
    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);

    record Work(TopicPartition partition, String key, int n) {}

    private static Lanes<Work> lanes(OrderingMode mode) {
        return new Lanes<>(
                mode, Work::partition, w -> w.key() == null ? null : w.key().getBytes(StandardCharsets.UTF_8));
    }

    private static List<Integer> drainReady(Lanes<Work> lanes) {
        List<Integer> out = new ArrayList<>();
        Work w;
        while ((w = lanes.nextReady()) != null) {
            out.add(w.n());
        }
        return out;
    }

    @Test
    void keyModeStartsOneJobPerKeyAndQueuesLaterOnesInOrder() {
        // Given jobs a1, b2, a3, a4, c5 on one partition
        Lanes<Work> lanes = lanes(OrderingMode.KEY);
        Work a1 = new Work(P0, "a", 1);
        Work b2 = new Work(P0, "b", 2);
        Work a3 = new Work(P0, "a", 3);
        Work a4 = new Work(P0, "a", 4);
        Work c5 = new Work(P0, "c", 5);
        List.of(a1, b2, a3, a4, c5).forEach(lanes::offer);

        // Then the first job of each key is ready, the other a's wait
        assertThat(drainReady(lanes)).containsExactly(1, 2, 5);
        assertThat(lanes.notStarted()).isEqualTo(2);

        // When a1 finishes, a3 (not a4) becomes ready; when a3 finishes, a4
        lanes.release(a1);
        assertThat(drainReady(lanes)).containsExactly(3);
        lanes.release(a3);
        assertThat(drainReady(lanes)).containsExactly(4);

        // When everything finishes, no lane remains
        lanes.release(b2);
        lanes.release(a4);
        lanes.release(c5);
        assertThat(lanes.laneCount()).isZero();
        assertThat(lanes.notStarted()).isZero();
    }

    @Test
    void keyModeKeepsTheSameKeyOnDifferentPartitionsApart() {
        // Given key "a" on two partitions
        Lanes<Work> lanes = lanes(OrderingMode.KEY);
        lanes.offer(new Work(P0, "a", 1));
        lanes.offer(new Work(P1, "a", 2));

        // Then both run: a lane is per partition and key
        assertThat(drainReady(lanes)).containsExactly(1, 2);
    }

    @Test
    void keyModeRunsRecordsWithoutAKeyUnordered() {
        // Given two jobs without a key
        Lanes<Work> lanes = lanes(OrderingMode.KEY);
        lanes.offer(new Work(P0, null, 1));
        lanes.offer(new Work(P0, null, 2));

        // Then both are ready
        assertThat(drainReady(lanes)).containsExactly(1, 2);
        assertThat(lanes.laneCount()).isZero();
    }

    @Test
    void partitionModeRunsOneJobAtATimePerPartition() {
        // Given jobs of different keys on two partitions
        Lanes<Work> lanes = lanes(OrderingMode.PARTITION);
        Work first = new Work(P0, "a", 1);
        lanes.offer(first);
        lanes.offer(new Work(P0, "b", 2));
        lanes.offer(new Work(P1, "c", 3));

        // Then one per partition is ready
        assertThat(drainReady(lanes)).containsExactly(1, 3);

        // When the first of P0 finishes, the next of P0 is ready
        lanes.release(first);
        assertThat(drainReady(lanes)).containsExactly(2);
    }

    @Test
    void unorderedModeMakesEveryJobReadyAtOnce() {
        // Given three jobs of one key
        Lanes<Work> lanes = lanes(OrderingMode.UNORDERED);
        for (int n = 1; n <= 3; n++) {
            lanes.offer(new Work(P0, "a", n));
        }

        // Then all are ready
        assertThat(drainReady(lanes)).containsExactly(1, 2, 3);
    }

    @Test
    void droppingAPartitionForgetsItsWaitingJobsAndIgnoresLateReleases() {
        // Given a1 started, a2 waiting on P0, and b3 ready on P1
        Lanes<Work> lanes = lanes(OrderingMode.KEY);
        Work a1 = new Work(P0, "a", 1);
        Work a2 = new Work(P0, "a", 2);
        Work b3 = new Work(P1, "b", 3);
        lanes.offer(a1);
        lanes.offer(a2);
        assertThat(lanes.nextReady()).isEqualTo(a1);
        lanes.offer(b3);

        // When P0 is dropped (revoked)
        int dropped = lanes.dropPartition(P0);

        // Then a2 is gone, b3 is still ready
        assertThat(dropped).isEqualTo(1);
        assertThat(drainReady(lanes)).containsExactly(3);

        // When P0 comes back with a new job of key a, it runs even though the old a1 has not finished
        Work a4 = new Work(P0, "a", 4);
        lanes.offer(a4);
        assertThat(drainReady(lanes)).containsExactly(4);

        // When the old a1 finishes late, the new lane is untouched: a5 still waits behind a4
        Work a5 = new Work(P0, "a", 5);
        lanes.offer(a5);
        lanes.release(a1);
        assertThat(drainReady(lanes)).isEmpty();
        lanes.release(a4);
        assertThat(drainReady(lanes)).containsExactly(5);
    }
}
