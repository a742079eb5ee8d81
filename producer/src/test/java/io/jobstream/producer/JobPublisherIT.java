package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.TrustedAvroTypes;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@JobstreamTest
class JobPublisherIT {

    record Email(String to, String subject) {}

    @Test
    void roundTripsEachPayloadKind(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue with its topics
        String queue = names.unique("jobs");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        FailureRecord avro = new FailureRecord(FailureReason.TIMEOUT, "slow", Instant.parse("2026-01-01T00:00:00Z"));
        Job json = Jobs.builder("send_email")
                .payload(new Email("a@example.com", "hi"))
                .build();
        Job bytes = Jobs.builder("resize")
                .payload("png".getBytes(StandardCharsets.UTF_8), "image/png")
                .orderingKey("user-1")
                .build();
        Job record = Jobs.builder("audit")
                .payload(avro)
                .maxAttempts(3)
                .header("tenant", "acme")
                .build();

        // When published
        try (JobPublisher publisher =
                JobPublisher.create(PublisherConfig.defaults(), Kafka.settings(kafka, Map.of()))) {
            for (Job job : List.of(json, bytes, record)) {
                JobReceipt receipt = publisher.publishSync(queue, job);
                assertThat(receipt.topic()).isEqualTo(queue);
                assertThat(receipt.offset()).isNotNegative();
            }
        }

        // Then a consumer decodes each job, and each payload, as published
        Map<String, Job> consumed = Kafka.readAll(kafka.bootstrapServers(), queue, 3).stream()
                .map(Kafka::decode)
                .collect(Collectors.toMap(Job::getId, Function.identity()));
        assertThat(consumed).hasSize(3);
        assertThat(consumed.get(json.getId())).isEqualTo(json);
        assertThat(consumed.get(bytes.getId())).isEqualTo(bytes);
        assertThat(consumed.get(record.getId())).isEqualTo(record);
        assertThat(new ObjectMapper().readValue(array(consumed.get(json.getId()).getPayload()), Email.class))
                .isEqualTo(new Email("a@example.com", "hi"));
        assertThat(new String(array(consumed.get(bytes.getId()).getPayload()), StandardCharsets.UTF_8))
                .isEqualTo("png");
        TrustedAvroTypes.trust(FailureRecord.getClassSchema()); // Avro 1.12.2 loads only trusted classes
        assertThat(FailureRecord.getDecoder()
                        .decode(array(consumed.get(record.getId()).getPayload())))
                .isEqualTo(avro);
    }

    @Test
    void publishesABatchOfAHundredThousandJobsAllAcknowledged(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue with 6 partitions and 100,000 jobs of 100 bytes
        String queue = names.unique("jobs");
        QueueTopics.using(kafka.admin()).create(queue, 6, 1);
        byte[] payload = new byte[100];
        List<Job> jobs = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            jobs.add(Jobs.builder("bulk").payload(payload).build());
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        // When published as one batch
        List<PublishOutcome> outcomes;
        try (JobPublisher publisher = JobPublisher.create(
                PublisherConfig.defaults(), Kafka.settings(kafka, Map.of("linger.ms", "20")), registry)) {
            outcomes = publisher.publishAll(queue, jobs).get();
        }

        // Then every job has a receipt at its own offset, and the topic holds exactly 100,000 records
        assertThat(outcomes).hasSize(100_000).allMatch(PublishOutcome::isPublished);
        Set<String> positions = new HashSet<>();
        for (PublishOutcome outcome : outcomes) {
            JobReceipt receipt = ((PublishOutcome.Published) outcome).receipt();
            positions.add(receipt.partition() + "/" + receipt.offset());
        }
        assertThat(positions).hasSize(100_000);
        assertThat(Kafka.count(kafka.admin(), queue)).isEqualTo(100_000);
        assertThat(registry.get("jobstream.jobs.published")
                        .tags("queue", queue, "type", "bulk", "outcome", "acknowledged")
                        .counter()
                        .count())
                .isEqualTo(100_000);
    }

    @Test
    void sendsADelayedJobToItsTierTopicWithTheDueTime(KafkaCluster kafka, TestTopics names) {
        // Given a queue and a job due in 45 seconds
        String queue = names.unique("jobs");
        QueueTopics.using(kafka.admin()).create(queue, 2, 1);
        Instant due = Instant.now().plusSeconds(45).truncatedTo(ChronoUnit.MILLIS);
        Job job = Jobs.builder("remind").notBefore(due).build();

        // When published
        JobReceipt receipt;
        try (JobPublisher publisher =
                JobPublisher.create(PublisherConfig.defaults(), Kafka.settings(kafka, Map.of()))) {
            receipt = publisher.publishSync(queue, job);
        }

        // Then it waits in the 30s tier, with the due time and target in headers, and the queue holds nothing
        assertThat(receipt.topic()).isEqualTo(queue + ".delay.30s");
        assertThat(receipt.delayTier()).contains(Duration.ofSeconds(30));
        ConsumerRecord<String, byte[]> record =
                Kafka.readAll(kafka.bootstrapServers(), queue + ".delay.30s", 1).getFirst();
        assertThat(Kafka.decode(record)).isEqualTo(job);
        assertThat(JobHeaders.instant(record.headers(), JobHeaders.DUE_AT)).contains(due);
        assertThat(JobHeaders.text(record.headers(), JobHeaders.TARGET_TOPIC)).contains(queue);
    }

    @Test
    void rejectsAJobForAQueueWithoutTopics(KafkaCluster kafka, TestTopics names) {
        String queue = names.unique("missing");

        try (JobPublisher publisher =
                JobPublisher.create(PublisherConfig.defaults(), Kafka.settings(kafka, Map.of()))) {
            assertThatThrownBy(
                            () -> publisher.publishSync(queue, Jobs.builder("t").build()))
                    .isInstanceOfSatisfying(JobRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNKNOWN_QUEUE))
                    .hasMessageContaining(queue);

            // And once the queue exists, the same publisher sees it
            QueueTopics.using(kafka.admin()).create(queue, 1, 1);
            assertThat(publisher.publishSync(queue, Jobs.builder("t").build()).topic())
                    .isEqualTo(queue);
        }
    }

    @Test
    void roundRobinSpreadsOneKeyOverEveryPartition(KafkaCluster kafka, TestTopics names) {
        String queue = names.unique("jobs");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        PublisherConfig config = PublisherConfig.builder()
                .partitionStrategy(PartitionStrategy.ROUND_ROBIN)
                .build();

        List<Integer> partitions = new ArrayList<>();
        try (JobPublisher publisher = JobPublisher.create(config, Kafka.settings(kafka, Map.of()))) {
            for (int i = 0; i < 6; i++) {
                partitions.add(publisher
                        .publishSync(queue, Jobs.builder("t").orderingKey("k").build())
                        .partition());
            }
        }

        assertThat(partitions).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void leastLoadedSendsJobsToThePartitionWithTheSmallestWorkerLag(KafkaCluster kafka, TestTopics names) {
        // Given a queue whose partitions 0 and 2 hold 50 jobs each that no worker has taken, and partition 1 none
        String queue = names.unique("jobs");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (var raw = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                kafka.clientProperties(),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < 50; i++) {
                raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(queue, 0, "k", new byte[1]));
                raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(queue, 2, "k", new byte[1]));
            }
        }
        PublisherConfig config = PublisherConfig.builder()
                .partitionStrategy(PartitionStrategy.LEAST_LOADED)
                .lagRefreshInterval(Duration.ofMillis(200))
                .build();

        try (JobPublisher publisher = JobPublisher.create(config, Kafka.settings(kafka, Map.of()))) {
            // When the publisher has seen the queue and taken a lag snapshot
            publisher.publishSync(queue, Jobs.builder("t").build());
            org.awaitility.Awaitility.await("a lag snapshot of " + queue)
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> publisher.hasLagSnapshot(queue));

            // Then the next 20 jobs all go to partition 1, whatever their keys
            List<Integer> partitions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                partitions.add(publisher
                        .publishSync(
                                queue, Jobs.builder("t").orderingKey("key-" + i).build())
                        .partition());
            }
            assertThat(partitions).containsOnly(1);
        }
    }

    private static byte[] array(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
