package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.SchemaRegistryServer;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema registry outage with the real worker and dlq-service, both writing the Confluent format: a Confluent job
 * the worker cannot decode is failed as {@code REGISTRY_UNAVAILABLE} with its bytes (the partition goes on), retried
 * through the delay tiers, dead-lettered with its bytes when the outage outlasts the retry policy, and run once the
 * registry is back within it. The registry is the in-process one: it can be switched to answer 503.
 */
@JobstreamTest
class RegistryOutageIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    @Test
    void aRegistryOutageNeitherBlocksThePartitionNorLosesAJob(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue, a registry, and a worker and a dlq-service (3 attempts, 1 s backoff) writing Confluent
        String queue = topics.unique("outage");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        RetryPolicy policy =
                new RetryPolicy(3, new Backoff(BACKOFF, 1.0, BACKOFF, Backoff.Jitter.NONE), Set.of(), Set.of());
        DlqServiceConfig dlqConfig = ItKafka.fastDlqConfig(queue, TIERS, policy, stateDir);
        List<String> ran = new CopyOnWriteArrayList<>();
        try (SchemaRegistryServer registry = SchemaRegistryServer.start()) {
            SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.builder(registry.url())
                    .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                    .build());
            // the publisher registered the job schema before the outage; the worker has not looked it up yet
            byte[] doomed;
            byte[] rescued;
            try (JobSerde<Job> publisher = JobSerde.forJob(confluent)) {
                doomed = publisher.encode(queue, job("doomed"));
                rescued = publisher.encode(queue, job("rescued"));
            }
            try (ItKafka.Collector failed = new ItKafka.Collector(kafka, Topics.failed(queue));
                    ItKafka.Collector dlqTopic = new ItKafka.Collector(kafka, Topics.dlq(queue));
                    DlqService service = DlqService.builder(dlqConfig, settings)
                            .serdes(confluent)
                            .build()
                            .start();
                    JobProcessor worker = JobProcessor.builder(ProcessorConfig.builder(queue, settings)
                                    .serde(confluent)
                                    .build())
                            .handle("log", (ctx, payload) -> ran.add(new String(payload, StandardCharsets.UTF_8)))
                            .build()
                            .start()) {
                await().atMost(Duration.ofSeconds(60)).until(service::isRunning);
                registry.unavailable(true);

                // When a Confluent job arrives during the outage, and a JSON envelope job behind it
                ItKafka.send(kafka, new ProducerRecord<>(queue, key("doomed"), doomed));
                ItKafka.send(kafka, new ProducerRecord<>(queue, key("behind"), envelope("behind")));

                // Then the job behind it runs while the registry is still down: the partition is not blocked
                await().atMost(Duration.ofSeconds(30)).until(() -> runs(ran, "behind") == 1);

                // And the Confluent job is dead-lettered after 3 tries through the delay tiers, with its bytes
                List<ItKafka.Received> letters = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    letters.addAll(dlqTopic.poll());
                    return !letters.isEmpty();
                });
                List<JobFailure> failures = decodeFailures(failed.poll(), queue);
                assertThat(failures)
                        .extracting(JobFailure::getReason)
                        .containsOnly(FailureReason.REGISTRY_UNAVAILABLE)
                        .hasSize(3);
                assertThat(failures)
                        .allSatisfy(f -> assertThat(f.getRetryable()).isTrue());
                try (JobSerde<DeadLetter> reader = JobSerde.forDeadLetter(SerdeConfig.singleObject())) {
                    DeadLetter letter = reader.decode(
                            Topics.dlq(queue),
                            letters.getFirst().record().headers(),
                            letters.getFirst().record().value());
                    assertThat(letter.getLastFailure().getReason()).isEqualTo(FailureReason.REGISTRY_UNAVAILABLE);
                    assertThat(letter.getLastFailure().getRawValue()).contains(ByteBuffer.wrap(doomed));
                }
                assertThat(runs(ran, "doomed")).isZero();

                // When another Confluent job arrives during the outage, and the registry is back after its first try
                ItKafka.send(kafka, new ProducerRecord<>(queue, key("rescued"), rescued));
                List<JobFailure> rescuedFailures = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    rescuedFailures.addAll(decodeFailures(failed.poll(), queue));
                    return !rescuedFailures.isEmpty();
                });
                registry.unavailable(false);

                // Then it runs once, from the delay tier, and is never dead-lettered
                await().atMost(Duration.ofSeconds(30)).until(() -> runs(ran, "rescued") == 1);
                await().pollDelay(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> true);
                assertThat(runs(ran, "rescued")).isEqualTo(1);
                assertThat(dlqTopic.poll()).hasSize(letters.size());
                assertThat(rescuedFailures)
                        .extracting(JobFailure::getReason)
                        .containsOnly(FailureReason.REGISTRY_UNAVAILABLE);
            }
        }
    }

    private static List<JobFailure> decodeFailures(List<ItKafka.Received> records, String queue) {
        try (JobSerde<JobFailure> reader = JobSerde.forFailure(SerdeConfig.singleObject())) {
            List<JobFailure> out = new ArrayList<>();
            for (ItKafka.Received r : records) {
                // every failure of the outage names its decode attempt
                assertThat(JobHeaders.text(r.record().headers(), JobHeaders.DECODE_ATTEMPT))
                        .isPresent();
                out.add(reader.decode(
                        Topics.failed(queue), r.record().headers(), r.record().value()));
            }
            return out;
        }
    }

    private static long runs(List<String> ran, String payload) {
        return ran.stream().filter(p -> p.contains(payload)).count();
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] envelope(String payload) {
        return ("{\"type\":\"log\",\"payload\":\"" + payload + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static Job job(String payload) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType("log")
                .setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .setContentType("text/plain")
                .setCreatedAt(Instant.now())
                .build();
    }
}
