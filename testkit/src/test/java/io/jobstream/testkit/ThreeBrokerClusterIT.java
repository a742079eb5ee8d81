package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fault tests against a 3-broker cluster of its own (never the shared one). */
class ThreeBrokerClusterIT {

    private static final Duration FAILOVER = Duration.ofSeconds(60);

    private static KafkaCluster kafka;

    @BeforeAll
    static void startCluster() {
        kafka = KafkaCluster.builder().name("three-brokers").brokers(3).build().start();
    }

    @AfterAll
    static void closeCluster() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void keepsAcceptingAcksAllWritesWithOneBrokerKilledAndTheRestartedBrokerRejoins() throws Exception {
        // Given a replication-factor-3 topic that needs 2 in-sync replicas per write
        String topic = "acked-writes";
        kafka.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        assertThat(kafka.liveBrokerIds()).containsExactlyInAnyOrder(1, 2, 3);
        int victim = kafka.partitions(topic).get(0).leader().id();

        // And a producer with acks=all writing continuously, one acknowledged record at a time
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean keepWriting = new AtomicBoolean(true);
        Thread writer = Thread.ofPlatform()
                .name("acks-all-writer")
                .start(() -> writeUntilStopped(topic, keepWriting, acknowledged, failures));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);

            // When the leader of partition 0 is killed with SIGKILL
            kafka.kill(victim);
            int acknowledgedAtKill = acknowledged.size();

            // Then writes keep being acknowledged by the two survivors
            assertThat(kafka.isRunning(victim)).isFalse();
            await().atMost(FAILOVER).until(() -> acknowledged.size() >= acknowledgedAtKill + 300);
        } finally {
            keepWriting.set(false);
            writer.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(writer.isAlive()).isFalse();
        assertThat(failures).isEmpty();

        // And every acknowledged record is there to read
        assertThat(readAll(topic, acknowledged.size())).containsAll(acknowledged);

        // When the killed broker is restarted on its old data and ports
        kafka.restart(victim);

        // Then the cluster lists it again and it is back in the ISR of every partition
        assertThat(kafka.liveBrokerIds()).containsExactlyInAnyOrder(1, 2, 3);
        await().atMost(FAILOVER).untilAsserted(() -> assertThat(
                        kafka.partitions(topic).values())
                .allSatisfy(partition -> assertThat(ids(partition.isr())).contains(victim)));
    }

    @Test
    void pausedBrokerIsFencedAndRejoinsAfterResume() {
        // Given a replicated topic
        String topic = "paused-broker";
        kafka.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        int victim = kafka.partitions(topic).get(0).leader().id();

        // When its leader hangs (SIGSTOP)
        kafka.pause(victim);
        try {
            // Then the cluster fences it and moves leadership away, and acks=all writes succeed
            await().atMost(FAILOVER)
                    .ignoreExceptionsInstanceOf(TestkitException.class)
                    .until(() -> !kafka.liveBrokerIds().contains(victim));
            assertThat(kafka.isRunning(victim)).isTrue();
            assertThat(kafka.bootstrapServers()).doesNotContain(kafka.address(victim));
            try (KafkaProducer<String, String> producer = producer()) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, "while-paused-" + i));
                }
                producer.flush();
            }
            assertThat(readAll(topic, 20)).hasSize(20);
        } finally {
            // When it continues (SIGCONT)
            kafka.resume(victim);
        }

        // Then it registers again and catches up into the ISR
        await().atMost(FAILOVER)
                .ignoreExceptionsInstanceOf(TestkitException.class)
                .until(() -> kafka.liveBrokerIds().contains(victim));
        await().atMost(FAILOVER)
                .untilAsserted(() ->
                        assertThat(ids(kafka.partitions(topic).get(0).isr())).containsExactlyInAnyOrder(1, 2, 3));
    }

    private static void writeUntilStopped(
            String topic, AtomicBoolean keepWriting, Set<String> acknowledged, List<Exception> failures) {
        try (KafkaProducer<String, String> producer = producer()) {
            // Bounded: a few thousand records at most, even if the test thread never says stop.
            for (int i = 0; i < 20_000 && keepWriting.get(); i++) {
                String value = "record-" + i;
                try {
                    producer.send(new ProducerRecord<>(topic, Integer.toString(i), value))
                            .get();
                    acknowledged.add(value);
                } catch (Exception e) {
                    failures.add(e);
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties properties = new Properties();
        properties.putAll(kafka.clientProperties());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
        properties.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String topic, int expected) {
        Properties properties = new Properties();
        properties.putAll(kafka.clientProperties());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = kafka.partitions(topic).keySet().stream()
                    .map(partition -> new TopicPartition(topic, partition))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static Set<Integer> ids(List<org.apache.kafka.common.Node> nodes) {
        Set<Integer> ids = new HashSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }
}
