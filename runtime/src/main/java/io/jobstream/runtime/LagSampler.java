package io.jobstream.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Consumer lag, the one way Jobstream reads it: per partition, the log end a {@code read_committed} consumer sees
 * minus the group's committed offset, never below 0. Used by the dlq-service's lag monitor, the publisher's
 * least-loaded partition strategy and the bench.
 *
 * <p>Each call is one batch of Admin requests, whatever the number of groups and partitions: the committed offsets of
 * every group asked for (one {@code listConsumerGroupOffsets}), then the end offsets of every partition read (one
 * {@code listOffsets}, {@code read_committed}: the last stable offset, which consumers commit up to past transaction
 * markers, so an idle group has lag 0 after transactions), and, only when a partition asked for by name has no
 * committed offset, its log start offset (one more {@code listOffsets}, sent together with the end offsets).
 *
 * <ul>
 *   <li>{@link #sample(Collection)} reads every partition each group has committed an offset for (as {@code
 *       kafka-consumer-groups --describe} does); a partition the group never committed to is not there.
 *   <li>{@link #sample(String, Collection)} reads the partitions named; one with no committed offset lags from its
 *       log start offset (where a group with {@code auto.offset.reset=earliest}, as Jobstream's workers use, starts),
 *       and its {@link PartitionLag#committed()} is empty.
 * </ul>
 *
 * <p>A partition whose topic or partition no longer exists ({@code UNKNOWN_TOPIC_OR_PARTITION} from the end offset
 * request) is left out of its group's sample: its committed offset will expire.
 *
 * <p>Threading: thread-safe and stateless; each call blocks the calling thread for at most about three request
 * timeouts. The Admin client belongs to the caller. Failure contract: a group whose offsets cannot be read, or one of
 * whose partitions' end (or start) offset cannot be read, within the timeout is a {@link GroupLagSample.Failed} with
 * the error (for an offset request, {@code listOffsets <partition>: <error>}); other groups of the call are unaffected. An interrupted call marks the groups not yet
 * read {@code Failed("interrupted")} and keeps the thread's interrupt status. Nothing else is thrown, but {@link
 * NullPointerException} for null arguments and {@link IllegalArgumentException} for a timeout that is not positive.
 */
public final class LagSampler {

    /** One partition's offsets and lag. */
    public record PartitionLag(TopicPartition partition, OptionalLong committed, long end, long lag) {
        public PartitionLag {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(committed, "committed");
        }
    }

    /** What one group's sample gave: its partitions' lags, or why they could not be read. */
    public sealed interface GroupLagSample {
        /** The group id. */
        String group();

        /** The group's partitions, ordered by topic and partition. */
        record Read(String group, List<PartitionLag> partitions) implements GroupLagSample {
            public Read {
                Objects.requireNonNull(group, "group");
                partitions = List.copyOf(partitions);
            }

            /** The sum of the partitions' lags. */
            public long totalLag() {
                return partitions.stream().mapToLong(PartitionLag::lag).sum();
            }
        }

        /** The group's offsets could not be read; {@code error} names the request and the cause. */
        record Failed(String group, String error) implements GroupLagSample {
            public Failed {
                Objects.requireNonNull(group, "group");
                Objects.requireNonNull(error, "error");
            }
        }
    }

    private final Admin admin;
    private final Duration timeout;

    /**
     * A sampler reading through {@code admin}.
     *
     * @param admin the Admin client (not closed by the sampler)
     * @param timeout how long each Admin request may take
     */
    public LagSampler(Admin admin, Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** Every partition each of {@code groups} has committed an offset for; one entry per group, in their order. */
    public Map<String, GroupLagSample> sample(Collection<String> groups) {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(group -> specs.put(Objects.requireNonNull(group, "group"), new ListConsumerGroupOffsetsSpec()));
        return sample(specs);
    }

    /** The {@code partitions} of {@code group}; one with no committed offset lags from its log start offset. */
    public GroupLagSample sample(String group, Collection<TopicPartition> partitions) {
        Objects.requireNonNull(group, "group");
        ListConsumerGroupOffsetsSpec spec = new ListConsumerGroupOffsetsSpec().topicPartitions(List.copyOf(partitions));
        return sample(Map.of(group, spec)).get(group);
    }

    private Map<String, GroupLagSample> sample(Map<String, ListConsumerGroupOffsetsSpec> specs) {
        Map<String, GroupLagSample> out = new LinkedHashMap<>();
        if (specs.isEmpty()) {
            return out;
        }
        long timeoutMs = timeout.toMillis();
        int requestTimeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);

        ListConsumerGroupOffsetsResult offsetsResult =
                admin.listConsumerGroupOffsets(specs, new ListConsumerGroupOffsetsOptions().timeoutMs(requestTimeout));
        Map<String, Map<TopicPartition, OptionalLong>> committed = new LinkedHashMap<>();
        Map<String, String> errors = new HashMap<>();
        for (var entry : specs.entrySet()) {
            String group = entry.getKey();
            try {
                Map<TopicPartition, OffsetAndMetadata> read =
                        offsetsResult.partitionsToOffsetAndMetadata(group).get(timeoutMs, TimeUnit.MILLISECONDS);
                committed.put(group, committedOffsets(entry.getValue().topicPartitions(), read));
            } catch (ExecutionException | TimeoutException e) {
                errors.put(group, describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.put(group, "interrupted");
            }
        }

        Set<TopicPartition> partitions = new HashSet<>();
        Set<TopicPartition> uncommitted = new HashSet<>();
        committed
                .values()
                .forEach(offsets -> offsets.forEach((tp, offset) -> {
                    partitions.add(tp);
                    if (offset.isEmpty()) {
                        uncommitted.add(tp);
                    }
                }));
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> starts = new HashMap<>();
        Map<TopicPartition, String> offsetErrors = new HashMap<>();
        if (!partitions.isEmpty()) {
            ListOffsetsResult endResult = admin.listOffsets(
                    specs(partitions, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(requestTimeout));
            ListOffsetsResult startResult = uncommitted.isEmpty()
                    ? null
                    : admin.listOffsets(
                            specs(uncommitted, OffsetSpec.earliest()),
                            new ListOffsetsOptions().timeoutMs(requestTimeout));
            collect(endResult, partitions, "listOffsets ", ends, offsetErrors);
            if (startResult != null) {
                collect(startResult, uncommitted, "listOffsets earliest ", starts, offsetErrors);
            }
        }

        for (String group : specs.keySet()) {
            String error = errors.get(group);
            out.put(
                    group,
                    error != null
                            ? new GroupLagSample.Failed(group, error)
                            : lags(group, committed.get(group), ends, starts, offsetErrors));
        }
        return out;
    }

    /**
     * The lags of one group's partitions from the offsets read: {@code committed} (empty: none committed), the end
     * offsets, the log start offsets of uncommitted partitions and the per-partition request errors (a partition
     * missing from {@code ends} without an error is gone and left out).
     */
    static GroupLagSample lags(
            String group,
            Map<TopicPartition, OptionalLong> committed,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> starts,
            Map<TopicPartition, String> offsetErrors) {
        List<TopicPartition> sorted = committed.keySet().stream()
                .sorted((a, b) -> a.topic().equals(b.topic())
                        ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()))
                .toList();
        for (TopicPartition tp : sorted) {
            String error = offsetErrors.get(tp);
            if (error != null) {
                return new GroupLagSample.Failed(group, error);
            }
        }
        List<PartitionLag> lags = new ArrayList<>();
        for (TopicPartition tp : sorted) {
            Long end = ends.get(tp);
            if (end == null) {
                continue; // the topic or partition is gone
            }
            OptionalLong offset = committed.get(tp);
            Long start = starts.get(tp);
            if (offset.isEmpty() && start == null) {
                continue; // gone as well: its start offset was unknown
            }
            long from = offset.isPresent() ? offset.getAsLong() : start;
            lags.add(new PartitionLag(tp, offset, end, Math.max(0, end - from)));
        }
        return new GroupLagSample.Read(group, lags);
    }

    /** Named partitions: each, committed or not; all of the group's: those with a committed offset. */
    private static Map<TopicPartition, OptionalLong> committedOffsets(
            Collection<TopicPartition> asked, Map<TopicPartition, OffsetAndMetadata> read) {
        Map<TopicPartition, OptionalLong> offsets = new HashMap<>();
        if (asked != null) {
            asked.forEach(tp -> offsets.put(tp, OptionalLong.empty()));
        }
        read.forEach((tp, offset) -> {
            if (offset != null) {
                offsets.put(tp, OptionalLong.of(offset.offset()));
            }
        });
        return offsets;
    }

    private void collect(
            ListOffsetsResult result,
            Set<TopicPartition> partitions,
            String request,
            Map<TopicPartition, Long> into,
            Map<TopicPartition, String> errors) {
        long timeoutMs = timeout.toMillis();
        for (TopicPartition tp : partitions) {
            try {
                into.put(
                        tp,
                        result.partitionResult(tp)
                                .get(timeoutMs, TimeUnit.MILLISECONDS)
                                .offset());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    errors.put(tp, request + tp + ": " + describe(e));
                }
            } catch (TimeoutException e) {
                errors.put(tp, request + tp + ": " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.put(tp, "interrupted");
            }
        }
    }

    private static Map<TopicPartition, OffsetSpec> specs(Set<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, spec));
        return specs;
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
