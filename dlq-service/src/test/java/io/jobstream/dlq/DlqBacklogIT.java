package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dlq-service's backlog gauges, jobstream.dlq.size and jobstream.delay.waiting, on a real broker. */
@JobstreamTest
class DlqBacklogIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofHours(1));
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Retries wait 2 h: each goes to the 1h tier and is held there for the whole test. */
    private static final RetryPolicy HOURS = new RetryPolicy(
            5, new Backoff(Duration.ofHours(2), 1.0, Duration.ofHours(2), Backoff.Jitter.NONE), Set.of(), Set.of());

    @TempDir
    Path stateDir;

    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DlqService service;

    @AfterEach
    void stop() {
        if (service != null) {
            assertThat(service.close(Duration.ofSeconds(30))).isTrue();
        }
    }

    @Test
    void countsDeadLettersByTypeUntilReplayedOrDeletedAndRetriesPerTierWithoutTransactionMarkers(
            KafkaCluster kafka, TestTopics topics) {
        // Given a dlq-service over a queue with its topics, .dlq.replayed included
        String queue = topics.unique("backlog");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1);
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        service = DlqService.builder(ItKafka.fastDlqConfig(queue, TIERS, HOURS, stateDir), settings)
                .serdes(SERDES)
                .registry(registry)
                .backlogInterval(Duration.ofMillis(500))
                .build()
                .start();

        // When 3 report jobs fail retryably (each in its own router transaction), 2 email and 1 sms jobs fail for
        // good, and one record on .failed cannot be decoded
        for (int i = 0; i < 3; i++) {
            fail(kafka, queue, failure(job("report", 1), queue, Instant.now()));
        }
        fail(kafka, queue, failure(job("email", 1), queue, Instant.now(), FailureReason.HANDLER_ERROR, false));
        fail(kafka, queue, failure(job("email", 1), queue, Instant.now(), FailureReason.HANDLER_ERROR, false));
        fail(kafka, queue, failure(job("sms", 1), queue, Instant.now(), FailureReason.HANDLER_ERROR, false));
        ItKafka.send(
                kafka, new ProducerRecord<>(Topics.failed(queue), null, "not avro".getBytes(StandardCharsets.UTF_8)));

        // Then the DLQ holds 2 email, 1 sms and 1 unknown dead letters, and the 1h tier 3 retries (not the offsets
        // the transaction markers take), the 1s tier none
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(dlqSize(queue)).isEqualTo(Map.of("email", 2.0, "sms", 1.0, "unknown", 1.0));
            assertThat(waiting(queue)).isEqualTo(Map.of("1h", 3.0, "1s", 0.0));
        });
        assertThat(MeterDocs.uncatalogued(registry, List.of(DlqMeters.values())))
                .isEmpty();
        // (the 1h tier's offsets span more than its 3 records: the routers' transaction markers lie between them)
        assertThat(endOffset(kafka, new TopicPartition(Topics.delay(queue, Duration.ofHours(1)), 0)))
                .isGreaterThan(3);

        // When the email dead letters are replayed
        try (DlqReplay replay = DlqReplay.create(settings)) {
            assertThat(replay.replay(ReplayRequest.of(ReplayFilter.all(queue).withType("email")))
                            .replayed())
                    .isEqualTo(2);
        }
        // Then no email dead letter waits
        await().atMost(WAIT).untilAsserted(() -> assertThat(dlqSize(queue))
                .isEqualTo(Map.of("email", 0.0, "sms", 1.0, "unknown", 1.0)));

        // When retention deletes every dead letter (deleteRecords, as log.retention would)
        TopicPartition dlq = new TopicPartition(Topics.dlq(queue), 0);
        kafka.admin()
                .deleteRecords(Map.of(dlq, RecordsToDelete.beforeOffset(endOffset(kafka, dlq))))
                .all()
                .toCompletionStage()
                .toCompletableFuture()
                .join();
        // Then none waits, and the retries still do
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(dlqSize(queue)).isEqualTo(Map.of("email", 0.0, "sms", 0.0, "unknown", 0.0));
            assertThat(waiting(queue)).isEqualTo(Map.of("1h", 3.0, "1s", 0.0));
        });
    }

    private static void fail(KafkaCluster kafka, String queue, JobFailure failure) {
        ItKafka.sendFailure(kafka, queue, failure);
    }

    private Map<String, Double> dlqSize(String queue) {
        return values(DlqMeters.DLQ_SIZE, queue, "type");
    }

    private Map<String, Double> waiting(String queue) {
        return values(DlqMeters.DELAY_WAITING, queue, "tier");
    }

    private Map<String, Double> values(DlqMeters meter, String queue, String tag) {
        return registry.find(meter.spec().name()).tag("queue", queue).gauges().stream()
                .collect(java.util.stream.Collectors.toMap(g -> g.getId().getTag(tag), Gauge::value));
    }

    private static long endOffset(KafkaCluster kafka, TopicPartition partition) {
        return kafka.admin()
                .listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .partitionResult(partition)
                .toCompletionStage()
                .toCompletableFuture()
                .join()
                .offset();
    }
}
