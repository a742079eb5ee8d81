package io.jobstream.processor;

import io.jobstream.schemas.JobHeaders;
import io.jobstream.testkit.KafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Stands in for the dlq-service's delay forwarder in processor tests (processor cannot depend on dlq-service): reads
 * one delay tier from the beginning and sends each record, key, value and headers unchanged, back to the queue at its
 * {@code jobstream.due-at}. Closing it stops everything it started.
 */
final class TierForwarder implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Thread thread;
    private final AtomicInteger forwarded = new AtomicInteger();
    private volatile boolean closed;

    TierForwarder(KafkaCluster kafka, String tierTopic, String queue) {
        Map<String, Object> consumerProps = kafka.clientProperties();
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(consumerProps);
        Map<String, Object> producerProps = kafka.clientProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(producerProps);
        List<TopicPartition> partitions = kafka.partitions(tierTopic).keySet().stream()
                .map(p -> new TopicPartition(tierTopic, p))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = Thread.ofPlatform().name("test-tier-forwarder").start(() -> {
            try {
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        Instant due = JobHeaders.instant(record.headers(), JobHeaders.DUE_AT)
                                .orElse(Instant.now());
                        long delay =
                                Math.max(0, Duration.between(Instant.now(), due).toMillis());
                        scheduler.schedule(
                                () -> {
                                    producer.send(new ProducerRecord<>(
                                            queue, null, record.key(), record.value(), record.headers()));
                                    forwarded.incrementAndGet();
                                },
                                delay,
                                TimeUnit.MILLISECONDS);
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        });
    }

    /** Records sent back to the queue so far. */
    int forwarded() {
        return forwarded.get();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(10));
        scheduler.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
