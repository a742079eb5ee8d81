package io.jobstream.producer;

import io.jobstream.producer.internal.TopicDirectory;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** A topic directory answering from a map; {@link #unreachable} makes every lookup time out. */
final class FakeTopicDirectory implements TopicDirectory {
    final Map<String, Integer> topics = new ConcurrentHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();
    final Map<String, Long> maxMessageBytes = new ConcurrentHashMap<>();
    volatile boolean unreachable;

    FakeTopicDirectory with(String topic, int partitions) {
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
