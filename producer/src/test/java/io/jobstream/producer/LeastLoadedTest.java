package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.producer.internal.LeastLoaded;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastLoadedTest {
    private final LeastLoaded leastLoaded = new LeastLoaded();

    @Test
    void hasNoChoiceWithoutASnapshotOrForAnotherPartitionCount() {
        assertThat(leastLoaded.choose("jobs", 3)).isEmpty();

        leastLoaded.update("jobs", new long[] {1, 2});

        assertThat(leastLoaded.choose("jobs", 3)).isEmpty();
        assertThat(leastLoaded.choose("jobs", 2)).hasValue(0);
    }

    @Test
    void fillsTheEmptiestPartitionsUntilTheBacklogsAreEven() {
        // Given backlogs 100, 40 and 70
        leastLoaded.update("jobs", new long[] {100, 40, 70});

        // When 90 jobs are placed
        Map<Integer, Integer> placed = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            placed.merge(leastLoaded.choose("jobs", 3).getAsInt(), 1, Integer::sum);
        }

        // Then every partition ends with a backlog of 100
        assertThat(placed).containsEntry(1, 60).containsEntry(2, 30).doesNotContainKey(0);
    }

    @Test
    void aNewSnapshotResetsTheCountOfJobsSentSince() {
        leastLoaded.update("jobs", new long[] {0, 5});
        for (int i = 0; i < 5; i++) {
            assertThat(leastLoaded.choose("jobs", 2)).hasValue(0);
        }

        leastLoaded.update("jobs", new long[] {0, 5});

        assertThat(leastLoaded.choose("jobs", 2)).hasValue(0);
    }

    @Test
    void equalPartitionsShareTheLoad() {
        leastLoaded.update("jobs", new long[] {0, 0, 0, 0});

        Map<Integer, Integer> placed = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            placed.merge(leastLoaded.choose("jobs", 4).getAsInt(), 1, Integer::sum);
        }

        assertThat(placed).containsOnlyKeys(0, 1, 2, 3).allSatisfy((p, n) -> assertThat(n)
                .isEqualTo(100));
    }
}
