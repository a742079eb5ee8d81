package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole retry path with the real worker: a handler that fails twice then succeeds runs three times, each retry no
 * earlier than its backoff, ends succeeded and never reaches the DLQ; one that always fails is dead-lettered once with
 * every attempt in its history.
 */
@JobstreamTest
class RetryThroughProcessorIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Duration BACKOFF = Duration.ofMillis(1500);

    @TempDir
    Path stateDir;

    @Test
    void failingTwiceThenSucceedingRunsThreeTimesAndNeverReachesTheDlq(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a queue, the dlq-service (4 attempts, 1.5 s backoff) and a worker whose "flaky" handler fails twice
        String queue = topics.unique("retries");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        RetryPolicy policy =
                new RetryPolicy(4, new Backoff(BACKOFF, 1.0, BACKOFF, Backoff.Jitter.NONE), Set.of(), Set.of());
        DlqServiceConfig dlqConfig = ItKafka.fastDlqConfig(queue, TIERS, policy, stateDir);
        List<Attempt> flaky = new CopyOnWriteArrayList<>();
        List<Attempt> doomed = new CopyOnWriteArrayList<>();
        List<ItKafka.Received> dlq;
        try (ItKafka.Collector dlqTopic = new ItKafka.Collector(kafka, Topics.dlq(queue));
                DlqService service =
                        DlqService.builder(dlqConfig, settings).build().start();
                JobProcessor worker = JobProcessor.builder(
                                ProcessorConfig.builder(queue, settings).build())
                        .handle("flaky", (ctx, payload) -> {
                            flaky.add(new Attempt(ctx.attempt(), Instant.now()));
                            if (ctx.attempt() <= 2) {
                                throw new IllegalStateException("flaky attempt " + ctx.attempt());
                            }
                        })
                        .handle("doomed", (ctx, payload) -> {
                            doomed.add(new Attempt(ctx.attempt(), Instant.now()));
                            throw new IllegalStateException("doomed attempt " + ctx.attempt());
                        })
                        .build()
                        .start()) {
            await().atMost(Duration.ofSeconds(60)).until(service::isRunning);

            // When one flaky and one doomed job are published
            JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject());
            ItKafka.send(kafka, record(serde, queue, "flaky"));
            ItKafka.send(kafka, record(serde, queue, "doomed"));

            // Then the flaky one ran three times and succeeded; the doomed one four times
            await().atMost(Duration.ofSeconds(90)).until(() -> flaky.size() >= 3 && doomed.size() >= 4);
            assertThat(flaky).extracting(Attempt::number).containsExactly(1, 2, 3);
            for (int i = 1; i < flaky.size(); i++) {
                // each retry ran no earlier than the backoff after the failed attempt
                assertThat(flaky.get(i).at())
                        .isAfterOrEqualTo(flaky.get(i - 1).at().plus(BACKOFF));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !dlqTopic.poll().isEmpty());
            assertThat(doomed).extracting(Attempt::number).containsExactly(1, 2, 3, 4);
            // nothing else arrives in the DLQ (a flaky dead letter would have been routed by now)
            await().pollDelay(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            dlq = dlqTopic.poll();
        }

        // And the DLQ holds exactly the doomed job, with its four failures — the flaky job is not there
        JobSerde<io.jobstream.schemas.DeadLetter> serde = JobSerde.forDeadLetter(SerdeConfig.singleObject());
        List<io.jobstream.schemas.DeadLetter> letters = dlq.stream()
                .map(r -> serde.decode(
                        Topics.dlq(queue), r.record().headers(), r.record().value()))
                .toList();
        assertThat(letters).hasSize(1);
        assertThat(letters.getFirst().getLastFailure().getJob().orElseThrow().getType())
                .isEqualTo("doomed");
        assertThat(letters.getFirst().getHistory()).hasSize(4);
    }

    private record Attempt(int number, Instant at) {}

    private static ProducerRecord<byte[], byte[]> record(JobSerde<Job> serde, String queue, String type) {
        Job job = Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
        return new ProducerRecord<>(queue, job.getId().getBytes(StandardCharsets.UTF_8), serde.encode(queue, job));
    }
}
