package io.jobstream.api.internal.status;

import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The job-status projection's topology:
 *
 * <pre>
 * &lt;queue&gt;.events (partitions = N) ──────────────────────────────────┐
 * &lt;queue&gt;        ─ ENQUEUED by job id ─┐                                 ├─► fold ─► status store, expiry index
 * &lt;queue&gt;.events (partitions ≠ N) ─ by job id ─┴─► &lt;app&gt;-by-job-repartition (N) ─┘
 * </pre>
 *
 * <p>N is the largest partition count of the tracked {@code .events} topics. Events are keyed by job id already, so
 * those with N partitions are read directly (Kafka's default partitioner puts one job id in the same partition of each);
 * the queue topics (keyed by ordering key) and any {@code .events} topic of another size go through one internal topic
 * with N partitions, keyed by job id. Every event of a job so meets in one task, whose store partition is what
 * {@code KafkaStreams#queryMetadataForKey} names.
 */
public final class StatusTopology {
    /** The status store: {@code <queue>/<job id>} ({@link StatusKeys}) → {@link StoredStatus}. */
    public static final String STATUS_STORE = "job-status";
    /** The expiry index: expiry time (8 bytes, big-endian) + store key → nothing. */
    public static final String EXPIRY_STORE = "job-status-expiry";
    /** The name of the internal topic, after the application id: {@code <app>-by-job-repartition}. */
    public static final String BY_JOB = "by-job";

    private StatusTopology() {}

    /**
     * What the topology needs.
     *
     * @param queues the tracked queues
     * @param eventPartitions each queue's {@code .events} partition count
     * @param trackEnqueued whether the queue topics are read for ENQUEUED
     * @param limits history size and retentions
     * @param purgeInterval how often expired jobs are dropped (wall-clock)
     * @param serdes how events and jobs are decoded
     * @param metrics the projection's meters
     */
    public record Settings(
            List<String> queues,
            Map<String, Integer> eventPartitions,
            boolean trackEnqueued,
            StoredStatus.Limits limits,
            Duration purgeInterval,
            SerdeConfig serdes,
            StatusMetrics metrics) {
        /** Checks every queue has a partition count. */
        public Settings {
            queues = List.copyOf(queues);
            eventPartitions = Map.copyOf(eventPartitions);
            if (queues.isEmpty()) {
                throw new IllegalArgumentException("no queue to track");
            }
            for (String queue : queues) {
                Objects.requireNonNull(eventPartitions.get(queue), "partition count of " + Topics.events(queue));
            }
        }

        /** N: the store's partition count. */
        public int partitions() {
            return queues.stream().mapToInt(eventPartitions::get).max().orElseThrow();
        }
    }

    /** Builds the topology. */
    public static Topology build(Settings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(STATUS_STORE), Serdes.String(), new StatusSerde())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(EXPIRY_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled());
        int partitions = settings.partitions();
        List<String> direct = new ArrayList<>();
        List<String> rekeyed = new ArrayList<>();
        for (String queue : settings.queues()) {
            (settings.eventPartitions().get(queue) == partitions ? direct : rekeyed).add(Topics.events(queue));
        }
        KStream<String, byte[]> toRekey = null;
        if (settings.trackEnqueued()) {
            toRekey = builder.stream(
                            settings.queues(),
                            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                    .withName("queues"))
                    .process(() -> new EnqueueExtractor(settings), Named.as("enqueued"));
        }
        if (!rekeyed.isEmpty()) {
            KStream<String, byte[]> events = builder.stream(
                            rekeyed,
                            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                    .withName("events-other-sizes"))
                    .process(() -> new EventRekey(settings), Named.as("events-by-job"));
            toRekey = toRekey == null ? events : toRekey.merge(events, Named.as("to-rekey"));
        }
        KStream<String, byte[]> input = direct.isEmpty()
                ? null
                : builder.stream(
                        direct,
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"));
        if (toRekey != null) {
            KStream<String, byte[]> byJob = toRekey.repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                    .withName(BY_JOB)
                    .withNumberOfPartitions(partitions));
            input = input == null ? byJob : input.merge(byJob, Named.as("all-events"));
        }
        input.process(() -> new StatusFold(settings), Named.as("fold"), STATUS_STORE, EXPIRY_STORE);
        return builder.build();
    }
}
