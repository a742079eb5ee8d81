package io.jobstream.dlq.lag.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.lag.GroupLag;
import io.jobstream.dlq.lag.LagSnapshot;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.dlq.lag.PartitionLag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lag monitor's gauges: {@code jobstream.consumer.lag} and {@code jobstream.consumer.lag.time} per group,
 * topic and partition, {@code jobstream.queue.depth} and {@code jobstream.queue.oldest.age} per queue (= topic) and {@code jobstream.consumer.status} per
 * group (value = {@link LagStatus#code()}, tag {@code status} = its name). Each gauge is registered once and updated
 * in place; it is removed when its partition, topic or group leaves the snapshot. The gauges of a group that could
 * not be read ({@code ERR}) keep their last values. Not thread-safe: owned by the sampling thread ({@link #close()}
 * after it stopped).
 */
public final class LagMeters implements AutoCloseable {

    private record PartitionKey(String group, String topic, int partition) {}

    private static final class PartitionGauges {
        final AtomicLong lag = new AtomicLong();
        final AtomicLong lagMillis = new AtomicLong();
        Gauge lagGauge;
        Gauge secondsGauge;
    }

    private static final class TopicGauges {
        final AtomicLong depth = new AtomicLong();
        final AtomicLong oldestMillis = new AtomicLong();
        Gauge depthGauge;
        Gauge ageGauge;
    }

    private static final class StatusGauge {
        final AtomicLong code = new AtomicLong();
        LagStatus status;
        Gauge gauge;
    }

    private final MeterRegistry registry;
    private final Map<PartitionKey, PartitionGauges> partitions = new HashMap<>();
    private final Map<String, TopicGauges> topics = new HashMap<>();
    private final Map<String, StatusGauge> statuses = new HashMap<>();

    public LagMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Brings every gauge to {@code snapshot}. */
    public void update(LagSnapshot snapshot) {
        Set<String> groups = new HashSet<>();
        Set<String> unread = new HashSet<>();
        Set<PartitionKey> seen = new HashSet<>();
        for (GroupLag group : snapshot.groups()) {
            groups.add(group.group());
            updateStatus(group.group(), group.status());
            if (group.status() == LagStatus.ERR && group.partitions().isEmpty()) {
                unread.add(group.group());
                continue;
            }
            for (PartitionLag p : group.partitions()) {
                PartitionKey key = new PartitionKey(p.group(), p.topic(), p.partition());
                seen.add(key);
                PartitionGauges gauges = partitions.computeIfAbsent(key, this::register);
                gauges.lag.set(p.lag());
                gauges.lagMillis.set(p.timeLag().toMillis());
            }
        }
        for (Iterator<Map.Entry<PartitionKey, PartitionGauges>> it =
                        partitions.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<PartitionKey, PartitionGauges> entry = it.next();
            if (!seen.contains(entry.getKey())
                    && !unread.contains(entry.getKey().group())) {
                registry.remove(entry.getValue().lagGauge);
                registry.remove(entry.getValue().secondsGauge);
                it.remove();
            }
        }
        for (Iterator<Map.Entry<String, StatusGauge>> it = statuses.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, StatusGauge> entry = it.next();
            if (!groups.contains(entry.getKey())) {
                registry.remove(entry.getValue().gauge);
                it.remove();
            }
        }
        updateDepths();
    }

    private PartitionGauges register(PartitionKey key) {
        String[] tags = {"group", key.group(), "topic", key.topic(), "partition", Integer.toString(key.partition())};
        PartitionGauges gauges = new PartitionGauges();
        gauges.lagGauge = DlqMeters.CONSUMER_LAG
                .gauge(gauges.lag, AtomicLong::get, tags)
                .strongReference(true)
                .register(registry);
        gauges.secondsGauge = DlqMeters.CONSUMER_LAG_TIME
                .gauge(gauges.lagMillis, millis -> millis.get() / 1000.0, tags)
                .strongReference(true)
                .register(registry);
        return gauges;
    }

    private void updateStatus(String group, LagStatus status) {
        StatusGauge current = statuses.get(group);
        if (current != null && current.status == status) {
            return;
        }
        if (current == null) {
            current = new StatusGauge();
            statuses.put(group, current);
        } else {
            registry.remove(current.gauge);
        }
        current.status = status;
        current.code.set(status.code());
        current.gauge = DlqMeters.CONSUMER_STATUS
                .gauge(current.code, AtomicLong::get, "group", group, "status", status.name())
                .strongReference(true)
                .register(registry);
    }

    private void updateDepths() {
        Map<String, Map<Integer, Long>> maxLag = new HashMap<>();
        Map<String, Long> oldestMillis = new HashMap<>();
        partitions.forEach((key, gauges) -> {
            maxLag.computeIfAbsent(key.topic(), t -> new HashMap<>())
                    .merge(key.partition(), gauges.lag.get(), Math::max);
            oldestMillis.merge(key.topic(), gauges.lagMillis.get(), Math::max);
        });
        maxLag.forEach((topic, byPartition) -> {
            long depth =
                    byPartition.values().stream().mapToLong(Long::longValue).sum();
            TopicGauges gauges = topics.get(topic);
            if (gauges == null) {
                gauges = new TopicGauges();
                gauges.depthGauge = DlqMeters.QUEUE_DEPTH
                        .gauge(gauges.depth, AtomicLong::get, "queue", topic)
                        .strongReference(true)
                        .register(registry);
                gauges.ageGauge = DlqMeters.QUEUE_OLDEST_AGE
                        .gauge(gauges.oldestMillis, millis -> millis.get() / 1000.0, "queue", topic)
                        .strongReference(true)
                        .register(registry);
                topics.put(topic, gauges);
            }
            gauges.depth.set(depth);
            gauges.oldestMillis.set(oldestMillis.get(topic));
        });
        for (Iterator<Map.Entry<String, TopicGauges>> it = topics.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, TopicGauges> entry = it.next();
            if (!maxLag.containsKey(entry.getKey())) {
                registry.remove(entry.getValue().depthGauge);
                registry.remove(entry.getValue().ageGauge);
                it.remove();
            }
        }
    }

    /** Removes every gauge. */
    @Override
    public void close() {
        partitions.values().forEach(g -> {
            registry.remove(g.lagGauge);
            registry.remove(g.secondsGauge);
        });
        partitions.clear();
        topics.values().forEach(t -> {
            registry.remove(t.depthGauge);
            registry.remove(t.ageGauge);
        });
        topics.clear();
        statuses.values().forEach(s -> registry.remove(s.gauge));
        statuses.clear();
    }
}
