package io.jobstream.producer;

import io.jobstream.producer.internal.LeastLoaded;
import io.jobstream.producer.internal.TopicDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;

/**
 * A topic directory answering from a map; {@link #unreachable} makes every lookup time out. Public, with {@link
 * #publisher}, for the api module's tests (this module's test-jar).
 */
public final class FakeTopicDirectory implements TopicDirectory {
    final Map<String, Integer> topics = new ConcurrentHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();
    final Map<String, Long> maxMessageBytes = new ConcurrentHashMap<>();
    /** When true, every lookup times out as if the brokers did not answer. */
    public volatile boolean unreachable;

    /**
     * A publisher sending into {@code producer} (a {@code MockProducer}) that finds topics in this directory and
     * spreads by hash; it closes nothing of its own.
     */
    public JobPublisher publisher(
            PublisherConfig config,
            Producer<String, byte[]> producer,
            MeterRegistry registry,
            Clock clock,
            String bootstrapServers) {
        return new JobPublisher(
                config, producer, this, new LeastLoaded(), registry, clock, bootstrapServers, List.of());
    }

    /** {@link #publisher(PublisherConfig, Producer, MeterRegistry, Clock, String)}, tracing with {@code openTelemetry}. */
    public JobPublisher publisher(
            PublisherConfig config,
            Producer<String, byte[]> producer,
            MeterRegistry registry,
            Clock clock,
            String bootstrapServers,
            io.opentelemetry.api.OpenTelemetry openTelemetry) {
        return new JobPublisher(
                config,
                producer,
                this,
                new LeastLoaded(),
                registry,
                clock,
                bootstrapServers,
                config.producerMaxRequestSize(),
                List.of(),
                openTelemetry);
    }

    /** Adds {@code topic} with {@code partitions} partitions. */
    public FakeTopicDirectory with(String topic, int partitions) {
        topics.put(topic, partitions);
        return this;
    }

    @Override
    public OptionalInt partitions(String topic, Duration timeout) throws TimeoutException {
        lookups.incrementAndGet();
        if (unreachable) {
            throw new TimeoutException("Timed out waiting for a node assignment. Call: describeTopics");
        }
        Integer partitions = topics.get(topic);
        return partitions == null ? OptionalInt.empty() : OptionalInt.of(partitions);
    }

    @Override
    public java.util.OptionalLong maxMessageBytes(String topic) {
        Long bytes = maxMessageBytes.get(topic);
        return bytes == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(bytes);
    }

    @Override
    public void close() {}
}
