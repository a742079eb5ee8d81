package io.jobstream.producer.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A {@link TopicDirectory} backed by an {@link Admin} client's {@code describeTopics}. A topic that exists is cached
 * for {@code ttl} (topics are rarely deleted, partitions rarely added); a missing one is not cached, so a topic created
 * later is seen on the next publish.
 */
public final class AdminTopicDirectory implements TopicDirectory {
    private record Known(int partitions, long fetchedAtNanos) {}

    private final Admin admin;
    private final boolean ownsAdmin;
    private final long ttlNanos;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

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
    public void close() {
        if (ownsAdmin) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
