package io.jobstream.producer.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A {@link TopicDirectory} backed by an {@link Admin} client's {@code describeTopics}. A topic that exists is cached
 * for {@code ttl} (topics are rarely deleted, partitions rarely added); a missing one is not cached, so a topic created
 * later is seen on the next publish. Each time a topic is found, its {@code max.message.bytes} is asked for in the
 * background, so that publishing can refuse a record the topic would not take before sending it.
 */
public final class AdminTopicDirectory implements TopicDirectory {
    private record Known(int partitions, long fetchedAtNanos) {}

    private final Admin admin;
    private final boolean ownsAdmin;
    private final long ttlNanos;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    /** Each found topic's max.message.bytes, or -1 when the brokers did not say (e.g. no DescribeConfigs ACL). */
    private final Map<String, Long> maxMessageBytes = new ConcurrentHashMap<>();

    /** A directory asking {@code admin}; closes it on {@link #close()} when {@code ownsAdmin}. */
    public AdminTopicDirectory(Admin admin, boolean ownsAdmin, Duration ttl) {
        this.admin = admin;
        this.ownsAdmin = ownsAdmin;
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public OptionalInt partitions(String topic, Duration timeout) throws TimeoutException, InterruptedException {
        Known cached = known.get(topic);
        if (cached != null && System.nanoTime() - cached.fetchedAtNanos() < ttlNanos) {
            return OptionalInt.of(cached.partitions());
        }
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            TopicDescription description = admin.describeTopics(
                            List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs))
                    .topicNameValues()
                    .get(topic)
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            int partitions = description.partitions().size();
            known.put(topic, new Known(partitions, System.nanoTime()));
            learnMaxMessageBytes(topic, timeoutMs);
            return OptionalInt.of(partitions);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownTopicOrPartitionException) {
                known.remove(topic);
                return OptionalInt.empty();
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                TimeoutException timeoutException = new TimeoutException(cause.getMessage());
                timeoutException.initCause(cause);
                throw timeoutException;
            }
            if (cause instanceof KafkaException kafka) {
                throw kafka;
            }
            throw new KafkaException(cause);
        }
    }

    @Override
    public OptionalLong maxMessageBytes(String topic) {
        Long bytes = maxMessageBytes.get(topic);
        return bytes == null || bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
    }

    /** Asks for the topic's max.message.bytes in the background (on each refresh of its partition count). */
    private void learnMaxMessageBytes(String topic, int timeoutMs) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().timeoutMs(timeoutMs))
                    .values()
                    .get(resource)
                    .whenComplete((config, error) -> {
                        ConfigEntry entry = error == null ? config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) : null;
                        long bytes = -1;
                        if (entry != null && entry.value() != null) {
                            try {
                                bytes = Long.parseLong(entry.value().trim());
                            } catch (NumberFormatException e) {
                                bytes = -1;
                            }
                        }
                        if (bytes >= 0 || !maxMessageBytes.containsKey(topic)) {
                            maxMessageBytes.put(topic, bytes);
                        }
                    });
        } catch (RuntimeException e) {
            // The partition count is what publishing needs; the limit is checked by the broker without it.
        }
    }

    @Override
    public void close() {
        if (ownsAdmin) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
