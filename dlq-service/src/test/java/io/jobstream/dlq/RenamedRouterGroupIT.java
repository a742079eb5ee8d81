package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading across the rename of the failure router's group ({@code jobstream-dlq-router-<queue>} to {@code
 * <queue>.dlq-router}): the new router starts where the old group had reached, so the failures the old version routed
 * are not routed a second time.
 */
@JobstreamTest
class RenamedRouterGroupIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final RetryPolicy POLICY = new RetryPolicy(
            4,
            new Backoff(Duration.ofMillis(300), 1.0, Duration.ofMillis(300), Backoff.Jitter.NONE),
            Set.of(),
            Set.of());

    @TempDir
    Path stateDir;

    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);

    @Test
    void aRouterUpgradedToItsNewGroupNameResumesWhereTheOldGroupWasAndRoutesNothingTwice(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given failures that the router of an older version (group jobstream-dlq-router-<queue>) routed and committed
        String queue = topics.unique("upgrade");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        List<Job> routedBefore = List.of(job("flaky", 1), job("flaky", 1), job("flaky", 1));
        for (Job routed : routedBefore) {
            fail(kafka, queue, routed);
        }
        Map<TopicPartition, OffsetAndMetadata> oldCommit = new HashMap<>();
        kafka.endOffsets(Topics.failed(queue)).forEach((tp, end) -> oldCommit.put(tp, new OffsetAndMetadata(end)));
        kafka.admin()
                .alterConsumerGroupOffsets(Names.legacyDlqRouter(queue), oldCommit)
                .all()
                .get(30, TimeUnit.SECONDS);
        assertThat(kafka.committedOffsets(Names.dlqRouter(queue))).isEmpty();

        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue);
                DlqService service = DlqService.builder(
                                ItKafka.fastDlqConfig(queue, TIERS, POLICY, stateDir),
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .serdes(SERDES)
                        .build()
                        .start()) {
            // When this version's router (group <queue>.dlq-router) starts and one new failure arrives
            await().atMost(WAIT).until(service::isRunning);
            Job fresh = job("flaky", 1);
            fail(kafka, queue, fresh);

            // Then only the new failure is retried: the three routed before are not routed again
            await().atMost(WAIT).until(onQueue::poll, received -> !received.isEmpty());
            await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
            assertThat(onQueue.poll())
                    .extracting(r ->
                            jobs.decode(queue, r.headers(), r.record().value()).getId())
                    .containsExactly(fresh.getId());
            // And the new group started at the old group's offsets and went on from there
            TopicPartition failed = new TopicPartition(Topics.failed(queue), 0);
            await().atMost(WAIT)
                    .until(() -> kafka.committedOffsets(Names.dlqRouter(queue)).getOrDefault(failed, 0L) >= 4L);
        }
    }

    private void fail(KafkaCluster kafka, String queue, Job job) {
        ItKafka.sendFailure(kafka, queue, failure(job, queue, Instant.now()));
    }
}
