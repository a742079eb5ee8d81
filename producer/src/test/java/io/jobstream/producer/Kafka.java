package io.jobstream.producer;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.testkit.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * Test helpers against a real cluster: settings, reading a topic back, counting its records. Public for the tests of
 * the modules built on the publisher (api, scheduler, integration-tests), through this module's test-jar.
 */
public final class Kafka {
    private Kafka() {}

    public static KafkaSettings settings(KafkaCluster kafka, Map<String, String> properties) {
        return KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .properties(properties)
                .build();
    }

    /** Every record of {@code topic} from the beginning, waiting until there are {@code expected}. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int expected) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await("records of " + topic)
                    .atMost(Duration.ofSeconds(90))
                    .pollInSameThread()
                    .pollInterval(Duration.ZERO)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.size() >= expected;
                    });
            return records;
        }
    }

    /** The number of records in {@code topic}: the sum of its partitions' end offsets minus start offsets. */
    public static long count(Admin admin, String topic) throws Exception {
        Set<TopicPartition> partitions = admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .collect(Collectors.toSet());
        var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                .all()
                .get(30, TimeUnit.SECONDS);
        var starts = admin.listOffsets(
                        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                .all()
                .get(30, TimeUnit.SECONDS);
        return partitions.stream()
                .mapToLong(p -> ends.get(p).offset() - starts.get(p).offset())
                .sum();
    }

    public static Job decode(ConsumerRecord<String, byte[]> record) {
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            return serde.decode(record.topic(), record.headers(), record.value());
        }
    }
}
