package io.jobstream.dlq.internal;

import io.jobstream.dlq.RetryPolicies;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * The failure router's Kafka Streams topology for one queue: source {@code <queue>.failed}, one processor, sinks
 * {@code <queue>.delay.<tier>} (one per tier), {@code <queue>.dlq} and {@code <queue>.events}. Stateless: no state
 * stores, no repartition topics. Values are decoded and encoded by the processor itself, so an undecodable record
 * never reaches a deserialization handler.
 */
public final class RouterTopology {
    static final String SOURCE = "failed";
    static final String PROCESSOR = "router";
    static final String DLQ = "dlq";
    static final String EVENTS = "events";

    private RouterTopology() {}

    /**
     * What the router needs.
     *
     * @param queue the queue
     * @param applicationId the Streams application id (the worker id of failures the router itself records)
     * @param tiers the delay tiers
     * @param policies the retry policies
     * @param historyLimit failures kept in a job's history
     * @param serdes how records are written
     * @param clock the time source
     * @param random the jitter source (thread-safe)
     * @param metrics the meters
     */
    public record Settings(
            String queue,
            String applicationId,
            DelayTiers tiers,
            RetryPolicies policies,
            int historyLimit,
            SerdeConfig serdes,
            Clock clock,
            RandomGenerator random,
            RouterMetrics metrics) {
        public Settings {
            Topics.queue(queue);
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(tiers, "tiers");
            Objects.requireNonNull(policies, "policies");
            Objects.requireNonNull(serdes, "serdes");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(metrics, "metrics");
            if (historyLimit < 1) {
                throw new IllegalArgumentException("history limit must be at least 1, got " + historyLimit);
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
                        JobSerde.forFailure(settings.serdes()),
                        JobSerde.forJob(settings.serdes()),
                        JobSerde.forDeadLetter(settings.serdes()),
                        JobSerde.forEvent(settings.serdes())),
                SOURCE);
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
