package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.jobstream.runtime.LagSampler.PartitionLag;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** How the offsets read become lags (the Admin round trips are {@link LagSamplerIT}'s). */
class LagSamplerTest {
    private static final TopicPartition P0 = new TopicPartition("emails", 0);
    private static final TopicPartition P1 = new TopicPartition("emails", 1);
    private static final TopicPartition OTHER = new TopicPartition("audit", 3);

    @Test
    void lagIsTheEndMinusTheCommittedOffsetOrderedByTopicAndPartition() {
        // Given committed offsets and end offsets of three partitions
        Map<TopicPartition, OptionalLong> committed =
                Map.of(P1, OptionalLong.of(40), P0, OptionalLong.of(100), OTHER, OptionalLong.of(7));

        // When they are combined
        GroupLagSample sample =
                LagSampler.lags("emails.workers", committed, Map.of(P0, 5100L, P1, 40L, OTHER, 9L), Map.of(), Map.of());

        // Then each partition lags by end - committed, sorted by topic, then partition
        assertThat(sample)
                .isEqualTo(new GroupLagSample.Read(
                        "emails.workers",
                        List.of(
                                new PartitionLag(OTHER, OptionalLong.of(7), 9, 2),
                                new PartitionLag(P0, OptionalLong.of(100), 5100, 5000),
                                new PartitionLag(P1, OptionalLong.of(40), 40, 0))));
        assertThat(((GroupLagSample.Read) sample).totalLag()).isEqualTo(5002);
    }

    @Test
    void aPartitionWithNoCommittedOffsetLagsFromItsLogStart() {
        GroupLagSample sample = LagSampler.lags(
                "emails.workers", Map.of(P0, OptionalLong.empty()), Map.of(P0, 50L), Map.of(P0, 20L), Map.of());

        assertThat(((GroupLagSample.Read) sample).partitions())
                .containsExactly(new PartitionLag(P0, OptionalLong.empty(), 50, 30));
    }

    @Test
    void aCommittedOffsetPastTheEndIsNoLag() {
        // e.g. the end read_committed is behind an open transaction the group already read past
        GroupLagSample sample =
                LagSampler.lags("g", Map.of(P0, OptionalLong.of(12)), Map.of(P0, 10L), Map.of(), Map.of());

        assertThat(((GroupLagSample.Read) sample).partitions())
                .containsExactly(new PartitionLag(P0, OptionalLong.of(12), 10, 0));
    }

    @Test
    void aPartitionThatIsGoneIsLeftOut() {
        // the end offset request answered UNKNOWN_TOPIC_OR_PARTITION for P1: no end, no error
        GroupLagSample sample = LagSampler.lags(
                "g", Map.of(P0, OptionalLong.of(1), P1, OptionalLong.of(3)), Map.of(P0, 1L), Map.of(), Map.of());

        assertThat(((GroupLagSample.Read) sample).partitions())
                .containsExactly(new PartitionLag(P0, OptionalLong.of(1), 1, 0));
    }

    @Test
    void anUnreadableEndOffsetFailsTheGroupNamingThePartition() {
        GroupLagSample sample = LagSampler.lags(
                "g",
                Map.of(P0, OptionalLong.of(1), P1, OptionalLong.of(3)),
                Map.of(P0, 1L),
                Map.of(),
                Map.of(P1, "listOffsets emails-1: TimeoutException: timed out"));

        assertThat(sample)
                .isEqualTo(new GroupLagSample.Failed("g", "listOffsets emails-1: TimeoutException: timed out"));
    }
}
