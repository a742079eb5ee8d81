package io.jobstream.dlq;

import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, a producer and read_committed collectors for integration tests. */
public final class ItKafka {

    /**
     * A dlq-service config for {@code queue} retrying every type by {@code policy} through {@code tiers}, polling every
     * 200 ms and retrying a failed transaction after 500 ms.
     */
    public static DlqServiceConfig fastDlqConfig(String queue, DelayTiers tiers, RetryPolicy policy, Path stateDir) {
        return DlqServiceConfig.builder(List.of(queue))
                .tiers(tiers)
                .retry(new RetryPolicies(policy, Map.of()))
                .stateDir(stateDir)
                .maxPollWait(Duration.ofMillis(200))
                .forwarderRetryBackoff(Duration.ofMillis(500))
                .build();
    }

    private ItKafka() {}

    /** Creates {@code queue} and its failed, dlq, events and delay-tier topics, one partition each. */
    public static void createQueueTopics(KafkaCluster kafka, String queue, DelayTiers tiers) {
        kafka.createTopic(queue, 1, 1);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.dlq(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        for (String topic : tiers.topics(queue)) {
            kafka.createTopic(topic, 1, 1);
        }
    }

    /** Sends one record and waits for its acknowledgement. */
    /**
     * Writes {@code failure} to {@code <queue>.failed} as a worker does: keyed by its job's id, single-object encoded.
     */
    public static void sendFailure(KafkaCluster kafka, String queue, JobFailure failure) {
        String topic = Topics.failed(queue);
        try (JobSerde<JobFailure> failures = JobSerde.forFailure(SerdeConfig.singleObject())) {
            send(
                    kafka,
                    new ProducerRecord<>(
                            topic,
                            failure.getJob().orElseThrow().getId().getBytes(StandardCharsets.UTF_8),
                            failures.encode(topic, failure)));
        }
    }

    public static void send(KafkaCluster kafka, ProducerRecord<byte[], byte[]> record) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends records and waits for every acknowledgement. */
    public static void sendAll(KafkaCluster kafka, List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> record : records) {
                acks.add(producer.send(record));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A record as the test saw it, with the time it was polled. */
    public record Received(ConsumerRecord<byte[], byte[]> record, Instant receivedAt) {
        public Headers headers() {
            return record.headers();
        }
    }

    /** Reads a topic's partition 0 from the beginning, read_committed, noting when each record was polled. */
    public static final class Collector implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<Received> received = new ArrayList<>();

        public Collector(KafkaCluster kafka, String topic) {
            Map<String, Object> props = new HashMap<>(kafka.clientProperties());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }

        /** Polls once (up to 200 ms) and returns everything received so far. */
        public List<Received> poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                received.add(new Received(record, Instant.now()));
            }
            return List.copyOf(received);
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
