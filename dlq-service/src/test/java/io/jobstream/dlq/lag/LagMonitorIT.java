package io.jobstream.dlq.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.DlqMeters;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@JobstreamTest
class LagMonitorIT {
    private static final Logger log = LoggerFactory.getLogger(LagMonitorIT.class);
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int WINDOW = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<LagListener.Change> changes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private LagMonitor monitor(KafkaCluster kafka, String group) {
        LagMonitorConfig config = LagMonitorConfig.builder()
                .interval(INTERVAL)
                .window(WINDOW)
                .groupPattern(Pattern.quote(group))
                .build();
        LagMonitor monitor = LagMonitor.create(config, kafka.admin(), registry, Clock.systemUTC());
        monitor.addListener(changes::add);
        toClose.add(monitor);
        return monitor;
    }

    private KafkaConsumer<byte[], byte[]> consumer(KafkaCluster kafka, String group, String topic) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-worker");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        toClose.add(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
        return consumer;
    }

    private KafkaProducer<byte[], byte[]> producer(KafkaCluster kafka) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        toClose.add(producer);
        return producer;
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, String topic, int count)
            throws InterruptedException, ExecutionException {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), new byte[16])));
        }
        for (java.util.concurrent.Future<?> ack : acks) {
            ack.get();
        }
    }

    /** Polls once and commits what it got; returns how many records it got. */
    private static int pollAndCommit(KafkaConsumer<byte[], byte[]> consumer) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty()) {
            consumer.commitSync();
        }
        return records.count();
    }

    /** The statuses of {@code group} in every snapshot the test took, and the changes they imply. */
    private static List<LagStatus> transitions(List<LagStatus> seen) {
        List<LagStatus> out = new ArrayList<>();
        LagStatus previous = LagStatus.OK;
        for (LagStatus status : seen) {
            if (status != previous) {
                out.add(status);
                previous = status;
            }
        }
        return out;
    }

    private double gauge(String name, String... tags) {
        Gauge gauge = registry.find(name).tags(tags).gauge();
        assertThat(gauge).as("gauge %s %s", name, List.of(tags)).isNotNull();
        return gauge.value();
    }

    @Test
    void aStoppedGroupTurnsStopWithItsLagThenOkOnceDrainedWithOneCallbackPerChange(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a workers group that consumed and committed 20 records of a 2-partition queue, then stopped
        String topic = topics.create("lag-stop", 2);
        String group = topic + ".workers";
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        publish(producer, topic, 20);
        KafkaConsumer<byte[], byte[]> first = consumer(kafka, group, topic);
        AtomicInteger consumed = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).until(() -> consumed.addAndGet(pollAndCommit(first)) == 20);
        first.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        LagMonitor monitor = monitor(kafka, group);
        List<LagStatus> seen = new CopyOnWriteArrayList<>();
        assertThat(monitor.sampleNow().group(group).orElseThrow().totalLag()).isZero();

        // When 5,000 jobs are published while nobody consumes
        publish(producer, topic, 5_000);

        // Then the lag is 5,000 and the status turns STOP once a window without commits has passed
        await().atMost(Duration.ofSeconds(20)).pollInterval(INTERVAL).untilAsserted(() -> {
            GroupLag lag = monitor.sampleNow().group(group).orElseThrow();
            seen.add(lag.status());
            assertThat(lag.totalLag()).isEqualTo(5_000);
            assertThat(lag.status()).isEqualTo(LagStatus.STOP);
        });
        LagSnapshot stopped = monitor.snapshot().orElseThrow();
        assertThat(stopped.group(group).orElseThrow().state()).isEqualTo("EMPTY");
        long jsonLag = 0;
        for (String line : stopped.toJsonLines().lines().toList()) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.get("status").asText()).isEqualTo("STOP");
            assertThat(node.get("owner").isNull()).isTrue();
            jsonLag += node.get("lag").asLong();
        }
        assertThat(jsonLag).isEqualTo(5_000);
        assertThat(gauge(DlqMeters.CONSUMER_LAG.spec().name(), "group", group, "topic", topic, "partition", "0")
                        + gauge(DlqMeters.CONSUMER_LAG.spec().name(), "group", group, "topic", topic, "partition", "1"))
                .isEqualTo(5_000);
        assertThat(gauge(DlqMeters.QUEUE_DEPTH.spec().name(), "queue", topic)).isEqualTo(5_000);
        assertThat(gauge(DlqMeters.CONSUMER_STATUS.spec().name(), "group", group, "status", "STOP"))
                .isEqualTo(LagStatus.STOP.code());

        // When the workers come back and drain the queue (the window of 4 × 500 ms used here is shorter than a
        // busy machine may take to hand the partitions to a new member, so the monitor looks again once drained)
        KafkaConsumer<byte[], byte[]> second = consumer(kafka, group, topic);
        AtomicInteger drained = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).until(() -> drained.addAndGet(pollAndCommit(second)) == 5_000);
        await().atMost(Duration.ofSeconds(30)).pollInterval(INTERVAL).untilAsserted(() -> {
            GroupLag lag = monitor.sampleNow().group(group).orElseThrow();
            seen.add(lag.status());
            assertThat(lag.totalLag()).isZero();
            assertThat(lag.status()).isEqualTo(LagStatus.OK);
        });

        // Then the lag is 0, the status OK, and the listener heard exactly one call per change the samples showed
        assertThat(gauge(DlqMeters.QUEUE_DEPTH.spec().name(), "queue", topic)).isZero();
        assertThat(registry.find(DlqMeters.CONSUMER_STATUS.spec().name())
                        .tags("group", group, "status", "STOP")
                        .gauge())
                .isNull();
        assertThat(gauge(DlqMeters.CONSUMER_STATUS.spec().name(), "group", group, "status", "OK"))
                .isZero();
        assertThat(changes).extracting(LagListener.Change::current).containsExactlyElementsOf(transitions(seen));
        assertThat(changes)
                .extracting(LagListener.Change::previous, LagListener.Change::current)
                .containsExactly(tuple(LagStatus.OK, LagStatus.STOP), tuple(LagStatus.STOP, LagStatus.OK));
        assertThat(monitor.snapshot().orElseThrow().toTable())
                .contains("GROUP " + group)
                .contains(group + "-worker");
    }

    @Test
    void committingTheSameOffsetIsAStallAndResettingOffsetsBackIsARewind(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a member of the group that keeps committing offset 10 of 100
        String topic = topics.create("lag-stall", 1);
        String group = topic + ".workers";
        TopicPartition partition = new TopicPartition(topic, 0);
        publish(producer(kafka), topic, 100);
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, group, topic);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return !consumer.assignment().isEmpty();
        });
        LagMonitor monitor = monitor(kafka, group);
        List<LagStatus> seen = new CopyOnWriteArrayList<>();

        // When the samples see the same committed offset with lag for a whole window
        await().atMost(Duration.ofSeconds(20)).pollInterval(INTERVAL).untilAsserted(() -> {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(10)));
            GroupLag lag = monitor.sampleNow().group(group).orElseThrow();
            seen.add(lag.status());
            // Then the group is STALL: a member owns the partition but its offset does not move
            assertThat(lag.partitions()).singleElement().satisfies(p -> {
                assertThat(p.lag()).isEqualTo(90);
                assertThat(p.owner()).contains(group + "-worker");
            });
            assertThat(lag.status()).isEqualTo(LagStatus.STALL);
        });

        // When the member leaves and the offsets are reset to the beginning
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> kafka.admin()
                .alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(0)))
                .all()
                .get(5, TimeUnit.SECONDS));

        // Then the next samples see the committed offset go backwards: REWIND
        await().atMost(Duration.ofSeconds(20)).pollInterval(INTERVAL).untilAsserted(() -> {
            GroupLag lag = monitor.sampleNow().group(group).orElseThrow();
            seen.add(lag.status());
            assertThat(lag.status()).isEqualTo(LagStatus.REWIND);
            assertThat(lag.totalLag()).isEqualTo(100);
        });
        assertThat(changes).extracting(LagListener.Change::current).containsExactlyElementsOf(transitions(seen));
        assertThat(changes).extracting(LagListener.Change::current).contains(LagStatus.STALL);
    }

    @Test
    void aGroupThatCannotBeReadIsErr(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a monitor with its own Admin client that has read a group once
        String topic = topics.create("lag-err", 1);
        String group = topic + ".workers";
        kafka.admin()
                .alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
                .all()
                .get(10, TimeUnit.SECONDS);
        Admin admin = Admin.create(kafka.clientProperties());
        toClose.add(admin);
        LagMonitorConfig config = LagMonitorConfig.builder()
                .interval(INTERVAL)
                .window(WINDOW)
                .groupPattern(Pattern.quote(group))
                .build();
        LagMonitor monitor = LagMonitor.create(config, admin, registry, Clock.systemUTC());
        toClose.add(monitor);
        monitor.addListener(changes::add);
        assertThat(monitor.sampleNow().group(group).orElseThrow().status()).isEqualTo(LagStatus.OK);

        // When its Admin client can no longer reach the cluster
        admin.close(Duration.ZERO);
        GroupLag lag = monitor.sampleNow().group(group).orElseThrow();

        // Then the group is ERR with the reason, its gauges keep their last values, and one change was told
        assertThat(lag.status()).isEqualTo(LagStatus.ERR);
        assertThat(lag.error()).isPresent();
        assertThat(gauge(DlqMeters.CONSUMER_STATUS.spec().name(), "group", group, "status", "ERR"))
                .isEqualTo(LagStatus.ERR.code());
        assertThat(gauge(DlqMeters.CONSUMER_LAG.spec().name(), "group", group, "topic", topic, "partition", "0"))
                .isZero();
        assertThat(changes)
                .extracting(LagListener.Change::previous, LagListener.Change::current)
                .containsExactly(tuple(LagStatus.OK, LagStatus.ERR));
    }

    @Test
    void aPausedConsumersTimeLagIsHowLongItHasBeenPaused(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given 200 jobs per second produced, a consumer keeping up, and a monitor sampling every 500 ms
        String topic = topics.create("lag-time", 1);
        String group = topic + ".workers";
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        ScheduledExecutorService steady = Executors.newSingleThreadScheduledExecutor();
        toClose.add(steady::shutdownNow);
        steady.scheduleAtFixedRate(
                () -> {
                    for (int i = 0; i < 10; i++) {
                        producer.send(new ProducerRecord<>(topic, new byte[16]));
                    }
                },
                0,
                50,
                TimeUnit.MILLISECONDS);
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, group, topic);
        LagMonitor monitor = monitor(kafka, group).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            pollAndCommit(consumer);
            return monitor.snapshot()
                    .flatMap(s -> s.group(group))
                    .map(g -> !g.partitions().isEmpty() && g.totalLag() < 400)
                    .orElse(false);
        });
        Instant keptUpFrom = Instant.now(); // 2 s of keeping up, so the monitor sees the log end move
        while (Duration.between(keptUpFrom, Instant.now()).compareTo(Duration.ofSeconds(2)) < 0) {
            pollAndCommit(consumer);
        }

        // When the consumer is paused for 20 s (it keeps polling, so it stays a member)
        pollAndCommit(consumer);
        Instant pausedAt = Instant.now();
        consumer.pause(consumer.assignment());
        Duration pause = Duration.ofSeconds(20);
        while (Duration.between(pausedAt, Instant.now()).compareTo(pause) < 0) {
            consumer.poll(Duration.ofMillis(100));
        }
        LagSnapshot snapshot = monitor.sampleNow();

        // Then its time lag is about 20 s (the acceptance: ± 3 s), about 200 records per second behind
        PartitionLag lag = snapshot.group(group).orElseThrow().partitions().getFirst();
        double pausedFor = Duration.between(pausedAt, snapshot.takenAt()).toMillis() / 1000.0;
        log.info(
                "time lag after a pause lagSeconds={} pausedFor={} lag={} lowerBound={}",
                lag.lagSeconds(),
                pausedFor,
                lag.lag(),
                lag.timeLagIsLowerBound());
        assertThat(lag.timeLagIsLowerBound()).isFalse();
        assertThat(lag.lagSeconds()).isCloseTo(20.0, offset(3.0));
        assertThat(lag.lagSeconds()).isCloseTo(pausedFor, offset(3.0));
        assertThat(lag.lag()).isBetween(2_500L, 6_000L);
        assertThat(gauge(DlqMeters.CONSUMER_LAG_TIME.spec().name(), "group", group, "topic", topic, "partition", "0"))
                .isCloseTo(lag.lagSeconds(), offset(1.0));

        // And resumed, it catches up to a time lag of 0 once it reads everything
        steady.shutdownNow();
        consumer.resume(consumer.assignment());
        await().atMost(Duration.ofSeconds(30)).pollInterval(INTERVAL).untilAsserted(() -> {
            while (pollAndCommit(consumer) > 0) {
                // drain
            }
            PartitionLag now =
                    monitor.sampleNow().group(group).orElseThrow().partitions().getFirst();
            assertThat(now.lag()).isZero();
            assertThat(now.timeLag()).isZero();
        });
    }
}
