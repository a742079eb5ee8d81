package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Clients built without a broker (they connect only when used): their metrics exist from construction. */
class KafkaMetersTest {

    @Test
    void bindsAClientsMetricsTaggedWithItsClientIdAndRemovesThemOnClose() {
        // Given a registry and a producer and a consumer
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaProducer<byte[], byte[]> producer = producer("orders-producer");
                KafkaConsumer<byte[], byte[]> consumer = consumer("orders-consumer")) {
            // When both are bound
            KafkaMeters.Binding producerMeters = KafkaMeters.bind(registry, producer);
            KafkaMeters.Binding consumerMeters = KafkaMeters.bind(registry, consumer);
            // Then their metrics are in the registry under Kafka's names, each with its client id
            assertThat(clientIds(registry, "kafka.producer.record.send.total")).containsExactly("orders-producer");
            assertThat(clientIds(registry, "kafka.consumer.fetch.manager.records.consumed.total"))
                    .containsExactly("orders-consumer");
            // And closing a binding (twice: idempotent) removes that client's meters only
            producerMeters.close();
            producerMeters.close();
            assertThat(kafkaMeters(registry))
                    .isNotEmpty()
                    .allSatisfy(m -> assertThat(m.getId().getTag("client.id")).isEqualTo("orders-consumer"));
            consumerMeters.close();
            assertThat(kafkaMeters(registry)).isEmpty();
        }
    }

    @Test
    void aSecondClientOfTheSameClientIdIsNotBoundUntilTheFirstIsClosed() {
        // Given two producers of one client id (as a configured jobstream.kafka.client-id makes them)
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaProducer<byte[], byte[]> first = producer("jobs");
                KafkaProducer<byte[], byte[]> second = producer("jobs")) {
            KafkaMeters.Binding firstMeters = KafkaMeters.bind(registry, first);
            int bound = kafkaMeters(registry).size();
            // When the second is bound, then nothing is added (its meters would be the first's)
            KafkaMeters.Binding secondMeters = KafkaMeters.bind(registry, second);
            assertThat(kafkaMeters(registry)).hasSize(bound);
            secondMeters.close();
            assertThat(kafkaMeters(registry)).hasSize(bound);
            // And once the first is closed, a client of that id can be bound again
            firstMeters.close();
            assertThat(kafkaMeters(registry)).isEmpty();
            KafkaMeters.bind(registry, second).close();
        }
    }

    private static Set<String> clientIds(SimpleMeterRegistry registry, String name) {
        return registry.find(name).meters().stream()
                .map(m -> m.getId().getTag("client.id"))
                .collect(Collectors.toSet());
    }

    private static java.util.List<Meter> kafkaMeters(SimpleMeterRegistry registry) {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("kafka."))
                .toList();
    }

    private static KafkaProducer<byte[], byte[]> producer(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
