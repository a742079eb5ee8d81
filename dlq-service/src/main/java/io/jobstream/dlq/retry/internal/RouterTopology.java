package io.jobstream.dlq.retry.internal;

import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The failure router's Kafka Streams topology for one queue: source {@code <queue>.failed}, one processor, sinks
 * {@code <queue>.delay.<tier>} (one per tier), {@code <queue>.dlq} and {@code <queue>.events}. One state store,
 * {@value #ROUTED_STORE}: a persistent, changelogged window store of the attempts already routed, so a second failure
 * of the same attempt (a re-run after a worker crash) is dropped instead of starting a second lineage; its entries
 * expire after {@link Settings#routedRetention()} (old segments are dropped whole, so memory and disk stay bounded).
 * No repartition topics. Values are decoded and encoded by the processor itself, so an undecodable record never
 * reaches a deserialization handler.
 */
public final class RouterTopology {
    static final String SOURCE = "failed";
    static final String PROCESSOR = "router";
    static final String DLQ = "dlq";
    static final String EVENTS = "events";
    /** The store of routed attempts; its changelog is {@code <application id>-routed-attempts-changelog}. */
    public static final String ROUTED_STORE = "routed-attempts";

    /** The changelog topic of {@link #ROUTED_STORE} of the router whose application id is {@code applicationId}. */
    public static String changelogTopic(String applicationId) {
        return applicationId + "-" + ROUTED_STORE + "-changelog";
    }
    /** A routed attempt is one instant, not a window: the store's windows are this long. */
    private static final Duration ROUTED_WINDOW = Duration.ofMillis(1);

    private RouterTopology() {}

    /**
     * What the router needs.
     *
     * @param queue the queue
     * @param applicationId the Streams application id (the worker id of failures the router itself records)
     * @param tiers the delay tiers
     * @param policies the retry policies
     * @param historyLimit failures kept in a job's history
     * @param routedRetention how long a routed attempt is remembered (and a second failure of it dropped)
     * @param serdes how records are written
     * @param clock the time source
     * @param random the jitter source (thread-safe)
     * @param metrics the meters
     * @param openTelemetry traces each retry and dead letter ({@code retry <queue>}, {@code dead-letter <queue>})
     */
    public record Settings(
            String queue,
            String applicationId,
            DelayTiers tiers,
            RetryPolicies policies,
            int historyLimit,
            Duration routedRetention,
            SerdeConfig serdes,
            Clock clock,
            RandomGenerator random,
            RouterMetrics metrics,
            OpenTelemetry openTelemetry) {
        /** Settings that trace nothing (the no-op OpenTelemetry). */
        public Settings(
                String queue,
                String applicationId,
                DelayTiers tiers,
                RetryPolicies policies,
                int historyLimit,
                Duration routedRetention,
                SerdeConfig serdes,
                Clock clock,
                RandomGenerator random,
                RouterMetrics metrics) {
            this(
                    queue,
                    applicationId,
                    tiers,
                    policies,
                    historyLimit,
                    routedRetention,
                    serdes,
                    clock,
                    random,
                    metrics,
                    OpenTelemetry.noop());
        }

        public Settings {
            Topics.queue(queue);
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(tiers, "tiers");
            Objects.requireNonNull(policies, "policies");
            Objects.requireNonNull(serdes, "serdes");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(openTelemetry, "openTelemetry");
            if (historyLimit < 1) {
                throw new IllegalArgumentException("history limit must be at least 1, got " + historyLimit);
            }
            Objects.requireNonNull(routedRetention, "routedRetention");
            if (routedRetention.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("routed retention must be at least 1m, got " + routedRetention);
            }
        }
    }

    /** The sink node of {@code tier}. */
    static String delaySink(Duration tier) {
        return "delay-" + Topics.tierName(tier);
    }

    /** The topology routing {@code settings.queue()}'s failures, with no topic limits known. */
    public static Topology build(Settings settings) {
        return build(settings, TopicLimits.none());
    }

    /**
     * The topology routing {@code settings.queue()}'s failures; a retry larger than its tier takes ({@code limits})
     * is dead-lettered instead, and a dead letter larger than {@code <queue>.dlq} takes is written trimmed.
     */
    public static Topology build(Settings settings, TopicLimits limits) {
        String queue = settings.queue();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.failed(queue));
        topology.addProcessor(
                PROCESSOR,
                () -> new RouterProcessor(
                        settings,
                        limits,
                        JobSerde.forFailure(settings.serdes()).fallingBackWhenRegistryUnavailable(),
                        JobSerde.forJob(settings.serdes()).fallingBackWhenRegistryUnavailable(),
                        JobSerde.forDeadLetter(settings.serdes()).fallingBackWhenRegistryUnavailable(),
                        JobSerde.forEvent(settings.serdes()).fallingBackWhenRegistryUnavailable()),
                SOURCE);
        topology.addStateStore(
                Stores.windowStoreBuilder(
                                Stores.persistentWindowStore(
                                        ROUTED_STORE, settings.routedRetention(), ROUTED_WINDOW, false),
                                Serdes.String(),
                                Serdes.String())
                        .withCachingDisabled(),
                PROCESSOR);
        for (Duration tier : settings.tiers().tiers()) {
            topology.addSink(
                    delaySink(tier),
                    Topics.delay(queue, tier),
                    new ByteArraySerializer(),
                    new ByteArraySerializer(),
                    PROCESSOR);
        }
        topology.addSink(DLQ, Topics.dlq(queue), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(EVENTS, Topics.events(queue), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
