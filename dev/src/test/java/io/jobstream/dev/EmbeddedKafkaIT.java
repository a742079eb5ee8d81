package io.jobstream.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dev.internal.EmbeddedKafka;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker of {@code jobstream dev}: real, in this JVM, and its data survives a restart. */
class EmbeddedKafkaIT {

    @Test
    void servesAQueueAndKeepsItsDataAcrossRestarts(@TempDir Path dataDir) throws Exception {
        // Given an embedded broker with the jobs queue created
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0, Duration.ofSeconds(60))) {
            QueueTopicsResult topics = createQueue(kafka);
            assertThat(topics.created()).contains("jobs", "jobs.failed", "jobs.dlq", "jobs.events");

            // When a record is written with acks=all
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            kafka.bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all"),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("jobs", 0, null, "hello".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }

        // Then a broker started again on the same data still has the queue and the record
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0, Duration.ofSeconds(60))) {
            assertThat(createQueue(kafka).existing()).contains("jobs", "jobs.failed", "jobs.dlq");
            assertThat(readPartitionZero(kafka)).containsExactly("hello");
        }
    }

    private static QueueTopicsResult createQueue(EmbeddedKafka kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return QueueTopics.using(admin).create("jobs", 3, 1);
        }
    }

    private static List<String> readPartitionZero(EmbeddedKafka kafka) {
        List<String> values = new ArrayList<>();
        TopicPartition partition = new TopicPartition("jobs", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
                return !values.isEmpty();
            });
        }
        return values;
    }
}
