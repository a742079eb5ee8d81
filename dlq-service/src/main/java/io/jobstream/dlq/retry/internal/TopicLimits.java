package io.jobstream.dlq.retry.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record each topic takes ({@code max.message.bytes}, as the brokers report it, defaults included), so
 * the failure router can tell before writing that a record would be refused: under exactly-once a refused record
 * aborts the transaction and the same input would be routed again, forever. Immutable and thread-safe.
 */
public final class TopicLimits {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);

    private final Map<String, Long> maxBytes;

    private TopicLimits(Map<String, Long> maxBytes) {
        this.maxBytes = Map.copyOf(maxBytes);
    }

    /** No limits known: every record is written as it is. */
    public static TopicLimits none() {
        return new TopicLimits(Map.of());
    }

    /** The given limits, topic → bytes. */
    public static TopicLimits of(Map<String, Long> maxBytes) {
        return new TopicLimits(maxBytes);
    }

    /**
     * The limits of {@code topics} as the brokers report them; a topic whose limit cannot be read (missing, no
     * permission, the brokers do not answer within {@code timeout}) has none, logged.
     */
    public static TopicLimits read(Admin admin, Collection<String> topics, Duration timeout) {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .toList();
        Map<String, Long> out = new HashMap<>();
        try {
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    try {
                        out.put(resource.name(), Long.parseLong(entry.value()));
                    } catch (NumberFormatException e) {
                        LOG.warn("topic_limit_unreadable topic={} value={}", resource.name(), entry.value());
                    }
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn(
                    "topic_limits_unknown topics={} error={}; records too large for them will not be trimmed",
                    topics,
                    e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new TopicLimits(out);
    }

    /** The largest record {@code topic} takes, in bytes; {@link Long#MAX_VALUE} when unknown. */
    public long maxBytes(String topic) {
        return maxBytes.getOrDefault(topic, Long.MAX_VALUE);
    }
}
