package io.jobstream.dlq.lag;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One consumer group, as one sample saw it.
 *
 * @param group the consumer group id
 * @param state the group's state as the broker reports it ({@code STABLE}, {@code EMPTY}, ...; {@code UNKNOWN} when
 *     it could not be read)
 * @param members how many members the group has
 * @param status the worst status of its partitions ({@link LagStatus#OK} without partitions); {@link LagStatus#ERR}
 *     when the group could not be read
 * @param error why the group could not be read; empty unless {@code status} is {@link LagStatus#ERR}
 * @param partitions every partition the group has committed an offset for, by topic then partition; empty when the
 *     group could not be read
 */
public record GroupLag(
        String group,
        String state,
        int members,
        LagStatus status,
        Optional<String> error,
        List<PartitionLag> partitions) {

    public GroupLag {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        partitions = List.copyOf(partitions);
    }

    /** The group's total lag, in records. */
    public long totalLag() {
        return partitions.stream().mapToLong(PartitionLag::lag).sum();
    }

    /** The partition of {@code topic} numbered {@code partition}, if the group committed there. */
    public Optional<PartitionLag> partition(String topic, int partition) {
        return partitions.stream()
                .filter(p -> p.topic().equals(topic) && p.partition() == partition)
                .findFirst();
    }
}
