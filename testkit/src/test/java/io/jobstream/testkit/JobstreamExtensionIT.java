package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@JobstreamTest
class JobstreamExtensionIT {

    private static KafkaCluster injectedBeforeAll;

    @BeforeAll
    static void rememberTheSharedCluster(KafkaCluster kafka) {
        injectedBeforeAll = kafka;
    }

    @Test
    void injectsOneSharedRunningCluster(KafkaCluster kafka) {
        // Then every injection point gets the same, started, one-broker cluster
        assertThat(kafka).isSameAs(injectedBeforeAll);
        assertThat(kafka.brokerIds()).containsExactly(1);
        assertThat(kafka.liveBrokerIds()).containsExactly(1);
        assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(kafka.logFile(1)).exists();
    }

    @Test
    void givesEachTestUniqueTopicNames(TestTopics topics) {
        // When
        String first = topics.unique("jobs");
        String second = topics.unique("jobs");

        // Then
        assertThat(first).matches("jobs-gives-each-test-unique-topic-names-\\d+");
        assertThat(second).isNotEqualTo(first).startsWith("jobs-gives-each-test-unique-topic-names-");
    }

    @Test
    void createdTopicsCarryRecords(TestTopics topics, KafkaCluster kafka) {
        // Given a topic created for this test on the shared cluster
        String topic = topics.create("emails", 2);
        assertThat(topics.cluster()).isSameAs(kafka);
        assertThat(kafka.partitions(topic)).hasSize(2);

        // When a record is produced with acks=all
        Map<String, Object> producerProperties = kafka.clientProperties();
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerProperties, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        // Then a consumer group (KIP-848 protocol) reads it back
        Properties consumerProperties = new Properties();
        consumerProperties.putAll(kafka.clientProperties());
        consumerProperties.put(ConsumerConfig.GROUP_ID_CONFIG, topic + ".workers");
        consumerProperties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        consumerProperties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerProperties, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
        }
        assertThat(values).containsExactly("hello");
    }

    @Test
    void injectsASharedRedisServer(RedisServer redis) {
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().ping()).isEqualTo("PONG");
        } finally {
            client.shutdown();
        }
    }
}
