package io.jobstream.cli.faults;

import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** How the fault tests read what the system wrote: committed records only, no consumer group. */
final class TopicReader {
    /** How long reading a set of topics to their end may take. */
    private static final Duration READ_LIMIT = Duration.ofSeconds(60);

    private TopicReader() {}

    /** Every committed record of {@code topics}, from the beginning to the end offsets of now. */
    static List<ConsumerRecord<byte[], byte[]>> read(KafkaCluster kafka, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(topic ->
                            consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            await().atMost(READ_LIMIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            });
            return out;
        }
    }

    /** A {@code read_committed} consumer without a group (the caller assigns it and closes it). */
    static KafkaConsumer<byte[], byte[]> consumer(KafkaCluster kafka) {
        Map<String, Object> settings = new HashMap<>(kafka.clientProperties());
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
