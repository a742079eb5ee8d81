package io.jobstream.dlq.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.LagSampler;
import io.jobstream.runtime.TagValues;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What waits in the dlq-service's topics, as two gauges per queue:
 *
 * <ul>
 *   <li>{@code jobstream.dlq.size} (tags {@code queue}, {@code type}): the dead letters in the retained log of {@code
 *       <queue>.dlq} not recorded as replayed in {@code <queue>.dlq.replayed} ({@link DeadLetterCount}). This reads
 *       both topics from their beginning ({@code read_committed}, no consumer group, so nothing is committed and no
 *       group ACL is needed), each record's type from its {@code jobstream.job-type} header ({@code unknown} without
 *       one), and the log start offsets every {@code interval}, so dead letters deleted by retention leave the count.
 *       After a start the gauge climbs to its value while the DLQ is read.
 *   <li>{@code jobstream.delay.waiting} (tags {@code queue}, {@code tier}): jobs in a delay tier the forwarder has not
 *       forwarded yet (retries in flight, delayed and deferred jobs): the records read from each tier partition at or
 *       after the forwarder group's committed offset ({@link TierCount}; offsets alone would count the transaction
 *       markers too). The committed offsets are read every {@code interval} with the runtime's {@link LagSampler};
 *       a tier partition is read from that offset on.
 * </ul>
 *
 * Every replica of the dlq-service reports the same values: take {@code max} over replicas, never {@code sum}.
 *
 * <p>Threading: one thread ({@code jobstream-dlq-backlog}) owns the consumer and the Admin client; the gauges read
 * atomics. Failure contract: a failed poll or sample is logged and retried after {@code interval}; the gauges keep
 * their last values meanwhile. It never stops the service.
 */
public final class Backlog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backlog.class);
    private static final String UNKNOWN_TYPE = "unknown";

    private final List<String> queues;
    private final DelayTiers tiers;
    private final Map<String, Object> consumerProps;
    private final Map<String, Object> adminProps;
    private final Map<String, String> forwarderGroups;
    private final MeterRegistry registry;
    private final Duration interval;
    private final Map<String, DeadLetterCount> counts = new HashMap<>();
    private final Map<String, TagValues> typeTags = new HashMap<>();
    private final Map<String, TierCount> tierCounts = new HashMap<>();
    private final Map<List<String>, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final List<Gauge> registered = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param forwarderGroups the delay forwarder's consumer group of each queue
     * @param interval how often log start offsets and the tiers' lag are read
     */
    public Backlog(
            List<String> queues,
            DelayTiers tiers,
            KafkaSettings kafka,
            Map<String, String> forwarderGroups,
            MeterRegistry registry,
            Duration interval) {
        this.queues = List.copyOf(queues);
        this.tiers = tiers;
        this.forwarderGroups = Map.copyOf(forwarderGroups);
        this.registry = registry;
        this.interval = interval;
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumerProps = props;
        this.adminProps = kafka.adminProperties();
        for (String queue : this.queues) {
            counts.put(queue, new DeadLetterCount());
            typeTags.put(queue, new TagValues(TagValues.DEFAULT_MAX));
            tierCounts.put(queue, new TierCount());
        }
        this.thread =
                Thread.ofPlatform().name("jobstream-dlq-backlog").daemon(true).unstarted(this::run);
    }

    /** Starts reading. */
    public Backlog start() {
        thread.start();
        return this;
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> owned =
                        new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                Admin admin = Admin.create(adminProps)) {
            consumer = owned;
            KafkaMeters.Binding consumerMeters = KafkaMeters.bind(registry, owned);
            KafkaMeters.Binding adminMeters = KafkaMeters.bind(registry, admin);
            try {
                loop(owned, admin);
            } finally {
                consumerMeters.close();
                adminMeters.close();
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("dlq backlog stopped; jobstream.dlq.size and jobstream.delay.waiting keep their values", e);
            }
        } finally {
            consumer = null;
        }
    }

    private void loop(KafkaConsumer<byte[], byte[]> owned, Admin admin) {
        LagSampler sampler =
                new LagSampler(admin, interval.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : interval);
        Instant nextSample = Instant.MIN;
        while (running) {
            try {
                if (!Instant.now().isBefore(nextSample)) {
                    sampleTiers(owned, sampler);
                    assign(owned);
                    expire(owned);
                    nextSample = Instant.now().plus(interval);
                }
                Duration wait = Duration.between(Instant.now(), nextSample);
                if (owned.assignment().isEmpty()) {
                    sleep(wait);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : owned.poll(wait.isNegative() ? Duration.ZERO : wait)) {
                    count(record);
                }
                publishCounts();
            } catch (WakeupException e) {
                if (running) {
                    throw e;
                }
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                LOG.warn("dlq backlog read failed; retrying in {}", interval, e);
                nextSample = Instant.now().plus(interval);
                sleep(interval);
            }
        }
    }

    /**
     * Assigns every partition of each queue's {@code .dlq}, {@code .dlq.replayed} and delay tiers; new ones from
     * their start, a tier partition from the forwarder's committed offset when it has one.
     */
    private void assign(KafkaConsumer<byte[], byte[]> owned) {
        Set<TopicPartition> wanted = new HashSet<>();
        for (String queue : queues) {
            wanted.addAll(partitions(owned, Topics.dlq(queue)));
            wanted.addAll(partitions(owned, Topics.dlqReplayed(queue)));
            for (Duration tier : tiers.tiers()) {
                wanted.addAll(partitions(owned, Topics.delay(queue, tier)));
            }
        }
        Set<TopicPartition> current = owned.assignment();
        if (wanted.equals(current)) {
            return;
        }
        Set<TopicPartition> added = new HashSet<>(wanted);
        added.removeAll(current);
        owned.assign(wanted);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : added) {
            OptionalLong committed = OptionalLong.empty();
            for (TierCount count : tierCounts.values()) {
                if (committed.isEmpty()) {
                    committed = count.committed(partition);
                }
            }
            if (committed.isPresent()) {
                owned.seek(partition, committed.getAsLong());
            } else {
                fromStart.add(partition);
            }
        }
        owned.seekToBeginning(fromStart);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> owned, String topic) {
        List<PartitionInfo> infos = owned.partitionsFor(topic);
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /** Drops the dead letters retention deleted. */
    private void expire(KafkaConsumer<byte[], byte[]> owned) {
        Map<String, String> queueOfDlq = new HashMap<>();
        queues.forEach(queue -> queueOfDlq.put(Topics.dlq(queue), queue));
        List<TopicPartition> dlqPartitions = owned.assignment().stream()
                .filter(tp -> queueOfDlq.containsKey(tp.topic()))
                .toList();
        if (dlqPartitions.isEmpty()) {
            return;
        }
        owned.beginningOffsets(dlqPartitions)
                .forEach((tp, start) -> counts.get(queueOfDlq.get(tp.topic())).logStart(tp.partition(), start));
    }

    private void count(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        for (String queue : queues) {
            tierCounts.get(queue).record(partition, record.offset());
            if (record.topic().equals(Topics.dlq(queue))) {
                if (record.value() != null) {
                    counts.get(queue).deadLetter(record.partition(), record.offset(), type(queue, record));
                }
                return;
            }
            if (record.topic().equals(Topics.dlqReplayed(queue))) {
                replayed(queue, record);
                return;
            }
        }
    }

    private String type(String queue, ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(JobHeaders.JOB_TYPE);
        String type = header == null || header.value() == null
                ? UNKNOWN_TYPE
                : new String(header.value(), StandardCharsets.UTF_8);
        return typeTags.get(queue).of(type);
    }

    /** A record of {@code .dlq.replayed}, keyed {@code <partition>/<offset>} of the dead letter. */
    private void replayed(String queue, ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        int slash = key.indexOf('/');
        try {
            int partition = Integer.parseInt(key.substring(0, slash));
            long offset = Long.parseLong(key.substring(slash + 1));
            if (record.value() == null) {
                counts.get(queue).unreplayed(partition, offset);
            } else {
                counts.get(queue).replayed(partition, offset);
            }
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            LOG.warn(
                    "dlq replay record with an unexpected key topic={} partition={} offset={}",
                    record.topic(),
                    record.partition(),
                    record.offset());
        }
    }

    private void publishCounts() {
        counts.forEach((queue, count) -> count.waiting()
                .forEach((type, n) ->
                        gauge(DlqMeters.DLQ_SIZE, "queue", queue, "type", type).set(n)));
        tierCounts.forEach((queue, count) -> count.waiting()
                .forEach((tier, n) -> gauge(DlqMeters.DELAY_WAITING, "queue", queue, "tier", tier)
                        .set(n)));
    }

    /** Reads the forwarder groups' committed offsets of every tier partition. */
    private void sampleTiers(KafkaConsumer<byte[], byte[]> owned, LagSampler sampler) {
        for (String queue : queues) {
            TierCount count = tierCounts.get(queue);
            List<TopicPartition> partitions = new ArrayList<>();
            for (Duration tier : tiers.tiers()) {
                for (TopicPartition partition : partitions(owned, Topics.delay(queue, tier))) {
                    count.track(partition, Topics.tierName(tier));
                    partitions.add(partition);
                }
            }
            if (partitions.isEmpty()) {
                continue;
            }
            switch (sampler.sample(forwarderGroups.get(queue), partitions)) {
                case LagSampler.GroupLagSample.Read read ->
                    read.partitions()
                            .forEach(p -> p.committed().ifPresent(offset -> count.commit(p.partition(), offset)));
                case LagSampler.GroupLagSample.Failed failed ->
                    LOG.warn("delay forwarder offsets not read queue={} error={}", queue, failed.error());
            }
        }
    }

    private AtomicLong gauge(DlqMeters meter, String... tags) {
        List<String> key = new ArrayList<>(List.of(tags));
        key.add(meter.name());
        return gauges.computeIfAbsent(List.copyOf(key), k -> {
            AtomicLong value = new AtomicLong();
            synchronized (registered) {
                registered.add(meter.gauge(value, AtomicLong::get, tags)
                        .strongReference(true)
                        .register(registry));
            }
            return value;
        });
    }

    /** Waits up to {@code wait}, in steps of 100 ms, while running. */
    private void sleep(Duration wait) {
        Instant until = Instant.now().plus(wait);
        try {
            while (running && Instant.now().isBefore(until)) {
                Thread.sleep(Math.min(
                        100, Math.max(1, Duration.between(Instant.now(), until).toMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops reading, waiting up to {@code timeout}, and removes the gauges. */
    public boolean close(Duration timeout) {
        running = false;
        KafkaConsumer<byte[], byte[]> owned = consumer;
        if (owned != null) {
            owned.wakeup();
        }
        boolean stopped;
        try {
            stopped = thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        } catch (IllegalThreadStateException notStarted) {
            stopped = true;
        }
        synchronized (registered) {
            registered.forEach(registry::remove);
            registered.clear();
        }
        return stopped;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
