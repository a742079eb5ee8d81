package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.jobstream.runtime.LagSampler.PartitionLag;
import io.jobstream.testkit.KafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sampler against a real broker: committed offsets, read_committed ends, log starts, gone topics. */
class LagSamplerIT {
    private static KafkaCluster kafka;
    private static Admin admin;
    private static LagSampler sampler;

    @BeforeAll
    static void start() {
        kafka = KafkaCluster.builder().name("lag-sampler-it").brokers(1).build().start();
        admin = kafka.admin();
        sampler = new LagSampler(admin, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aGroupLagsByTheRecordsPastItsCommittedOffsets() throws Exception {
        // Given 10 records on partition 0 and 5 on partition 1, and a group that committed 4 on partition 0 only
        kafka.createTopic("lag-a", 2, 1);
        write("lag-a", 0, 10, false);
        write("lag-a", 1, 5, false);
        commit("lag-a.workers", Map.of(new TopicPartition("lag-a", 0), 4L));

        // When every partition the group committed to is sampled
        Map<String, GroupLagSample> samples = sampler.sample(List.of("lag-a.workers", "nobody.workers"));

        // Then partition 0 lags by 6, partition 1 is not there, and a group with no offsets has no partitions
        assertThat(samples.get("lag-a.workers"))
                .isEqualTo(new GroupLagSample.Read(
                        "lag-a.workers", List.of(new PartitionLag(tp("lag-a", 0), OptionalLong.of(4), 10, 6))));
        assertThat(samples.get("nobody.workers")).isEqualTo(new GroupLagSample.Read("nobody.workers", List.of()));
    }

    @Test
    void aNamedPartitionWithNoCommittedOffsetLagsFromItsLogStart() throws Exception {
        // Given 5 records on partition 1 of which the first 2 are deleted, and no offset committed there
        kafka.createTopic("lag-b", 2, 1);
        write("lag-b", 0, 10, false);
        write("lag-b", 1, 5, false);
        commit("lag-b.workers", Map.of(new TopicPartition("lag-b", 0), 10L));
        admin.deleteRecords(Map.of(tp("lag-b", 1), RecordsToDelete.beforeOffset(2)))
                .all()
                .get(10, TimeUnit.SECONDS);

        // When both partitions are sampled by name
        GroupLagSample sample = sampler.sample("lag-b.workers", List.of(tp("lag-b", 0), tp("lag-b", 1)));

        // Then partition 0 is done and partition 1 lags by the 3 records from its log start
        assertThat(sample)
                .isEqualTo(new GroupLagSample.Read(
                        "lag-b.workers",
                        List.of(
                                new PartitionLag(tp("lag-b", 0), OptionalLong.of(10), 10, 0),
                                new PartitionLag(tp("lag-b", 1), OptionalLong.empty(), 5, 3))));
    }

    @Test
    void aGroupThatReadPastACommittedTransactionHasNoLag() throws Exception {
        // Given 3 records written in a transaction (its commit marker takes offset 3), read by a consumer whose
        // position, and so its committed offset, is past the marker
        kafka.createTopic("lag-c", 1, 1);
        write("lag-c", 0, 3, true);
        commit("lag-c.workers", Map.of(tp("lag-c", 0), 4L));

        // When it is sampled
        GroupLagSample sample = sampler.sample("lag-c.workers", List.of(tp("lag-c", 0)));

        // Then the read_committed end is 4 and the lag 0
        assertThat(sample)
                .isEqualTo(new GroupLagSample.Read(
                        "lag-c.workers", List.of(new PartitionLag(tp("lag-c", 0), OptionalLong.of(4), 4, 0))));
    }

    @Test
    void aPartitionOfADeletedTopicIsLeftOut() throws Exception {
        // Given a group with offsets on a topic that is then deleted
        kafka.createTopic("lag-d", 1, 1);
        write("lag-d", 0, 2, false);
        commit("lag-d.workers", Map.of(tp("lag-d", 0), 1L));
        admin.deleteTopics(List.of("lag-d")).all().get(10, TimeUnit.SECONDS);

        // When it is sampled, Then the group is read with no partitions
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sampler.sample(List.of("lag-d.workers")))
                .containsEntry("lag-d.workers", new GroupLagSample.Read("lag-d.workers", List.of())));
    }

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static void commit(String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, commits).all().get(10, TimeUnit.SECONDS);
    }

    private static void write(String topic, int partition, int records, boolean transactional) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        if (transactional) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-sampler-it-" + topic);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            if (transactional) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i));
            }
            if (transactional) {
                producer.commitTransaction();
            }
            producer.flush();
        }
    }
}
