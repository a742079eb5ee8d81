package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.ItKafka;
import io.jobstream.dlq.TestJobs;
import io.jobstream.dlq.alert.RecordingServer.Answer;
import io.jobstream.dlq.alert.RecordingServer.Request;
import io.jobstream.dlq.alert.internal.DeadLetterFeed;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead-letter alerts end to end: failures → router → {@code <queue>.dlq} → alert feed → aggregator → a local HTTP
 * server standing in for Slack, on a real broker and the real clock.
 */
@JobstreamTest
class DlqAlertsIT {
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    @Test
    void aThousandDeadLettersBecomeAHandfulOfSlackPostsAndA429IsHonoured(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given the service with Slack alerts (2 s window) and a Slack answering the first post 429, Retry-After 2
        String queue = topics.unique("alerts");
        DelayTiers tiers = DelayTiers.defaults();
        ItKafka.createQueueTopics(kafka, queue, tiers);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RecordingServer slack =
                        new RecordingServer(Clock.systemUTC()).answer(new Answer(429, Map.of("Retry-After", "2")));
                DlqService service = DlqService.builder(
                                DlqServiceConfig.builder(List.of(queue))
                                        .stateDir(stateDir)
                                        .build(),
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .serdes(SERDES)
                        .registry(registry)
                        .alerts(AlertConfig.builder()
                                .slackWebhook(slack.uri())
                                .window(Duration.ofSeconds(2))
                                .quietPeriod(Duration.ofMinutes(5))
                                .build())
                        .build()
                        .start()) {
            await().atMost(WAIT).until(service::isRunning);
            await().atMost(WAIT).until(() -> feedAssigned(kafka, Topics.dlq(queue)));

            // When 1,000 jobs fail for good (REJECTED is never retried)
            JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                Job job = TestJobs.job("send_email", 1);
                JobFailure failure = TestJobs.failure(job, queue, Instant.now(), FailureReason.REJECTED, false);
                records.add(new ProducerRecord<>(
                        Topics.failed(queue),
                        job.getId().getBytes(StandardCharsets.UTF_8),
                        failures.encode(Topics.failed(queue), failure)));
            }
            ItKafka.sendAll(kafka, records);

            // Then Slack accepts a handful of posts whose counts add up to 1,000
            await().atMost(WAIT)
                    .until(() -> slack.delivered().stream()
                                    .mapToLong(Request::slackCount)
                                    .sum()
                            >= 1_000);
            List<Request> delivered = slack.delivered();
            assertThat(delivered.stream().mapToLong(Request::slackCount).sum()).isEqualTo(1_000);
            assertThat(delivered).hasSizeBetween(1, 5);
            // And the first post was refused with 429, and the next one came 2 s or more after it
            List<Request> requests = slack.requests();
            assertThat(requests.getFirst().status()).isEqualTo(429);
            assertThat(requests.get(1).at())
                    .isAfterOrEqualTo(requests.getFirst().at().plusSeconds(2));
            assertThat(requests.getFirst().body()).contains(queue, "send_email", "REJECTED");
            assertThat(requests.getFirst().body())
                    .contains("jobstream dlq replay --queue " + queue + " --type send_email --reason REJECTED");
            // (a post is counted once its answer is read: just after Slack recorded it)
            await().atMost(WAIT).untilAsserted(() -> assertThat(registry.get("jobstream.alerts.sent")
                            .tag("sink", "slack")
                            .counter()
                            .count())
                    .isEqualTo(delivered.size()));
        }
    }

    private static boolean feedAssigned(KafkaCluster kafka, String dlqTopic) throws Exception {
        {
            var admin = kafka.admin(); // shared, owned by the cluster
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(DeadLetterFeed.GROUP))
                    .all()
                    .get()
                    .get(DeadLetterFeed.GROUP);
            return Optional.ofNullable(group).stream()
                    .flatMap(g -> g.members().stream())
                    .flatMap(m -> m.assignment().topicPartitions().stream())
                    .anyMatch(tp -> tp.topic().equals(dlqTopic));
        }
    }
}
