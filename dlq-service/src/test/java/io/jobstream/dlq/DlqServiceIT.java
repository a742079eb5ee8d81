package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure router and the delay forwarder together, on a real broker. */
@JobstreamTest
class DlqServiceIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** "flaky" jobs: 4 attempts, 300 ms between them; every other type: 5 attempts, 2 s between them. */
    private static final RetryPolicies POLICIES = new RetryPolicies(
            new RetryPolicy(
                    5,
                    new Backoff(Duration.ofSeconds(2), 1.0, Duration.ofSeconds(2), Backoff.Jitter.NONE),
                    Set.of(),
                    Set.of()),
            Map.of(
                    "flaky",
                    new RetryPolicy(
                            4,
                            new Backoff(Duration.ofMillis(300), 1.0, Duration.ofMillis(300), Backoff.Jitter.NONE),
                            Set.of(),
                            Set.of())));

    @TempDir
    Path stateDir;

    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DlqService service;

    private String startService(KafkaCluster kafka, TestTopics topics) {
        String queue = topics.unique("jobs");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        startService(kafka, queue, stateDir);
        return queue;
    }

    private void startService(KafkaCluster kafka, String queue, Path directory) {
        DlqServiceConfig config = DlqServiceConfig.builder(List.of(queue))
                .tiers(TIERS)
                .retry(POLICIES)
                .historyLimit(20)
                .stateDir(directory)
                .maxPollWait(Duration.ofMillis(500))
                .forwarderRetryBackoff(Duration.ofMillis(500))
                .build();
        service = DlqService.builder(
                        config,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .serdes(SERDES)
                .registry(registry)
                .build()
                .start();
        await().atMost(WAIT).until(service::isRunning);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            assertThat(service.close(Duration.ofSeconds(30))).isTrue();
        }
    }

    private static void fail(KafkaCluster kafka, String queue, JobFailure failure) {
        ItKafka.sendFailure(kafka, queue, failure);
    }

    @Test
    void aRouterRestartedOnAnEmptyStateDirectoryRestoresItsRoutedAttemptsAndStillDropsADuplicate(
            KafkaCluster kafka, TestTopics topics, @TempDir Path emptyStateDir) {
        // Given the service routed attempt 1 of a job back to the queue
        String queue = startService(kafka, topics);
        Job job = job("flaky", 1);
        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue)) {
            fail(kafka, queue, failure(job, queue, Instant.now()));
            await().atMost(WAIT).until(onQueue::poll, received -> received.size() == 1);
            // When it is replaced by a service whose state directory is empty (the store must come from its changelog)
            assertThat(service.close(Duration.ofSeconds(30))).isTrue();
            startService(kafka, queue, emptyStateDir);
            // And the same attempt's failure arrives again (a worker re-ran it), then another job's failure
            fail(kafka, queue, failure(job, queue, Instant.now()));
            Job other = job("flaky", 1);
            fail(kafka, queue, failure(other, queue, Instant.now()));
            // Then only the other job comes back (in order behind a routed duplicate, had there been one)
            List<ItKafka.Received> back = await().atMost(WAIT).until(onQueue::poll, received -> received.size() >= 2);
            assertThat(back)
                    .extracting(r ->
                            jobs.decode(queue, r.headers(), r.record().value()).getId())
                    .containsExactly(job.getId(), other.getId());
            assertThat(registry.get(DlqMeters.ROUTER_DUPLICATES.spec().name())
                            .counter()
                            .count())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void aRetryableFailureReturnsToTheQueueWithTheNextAttemptAfterItsBackoff(KafkaCluster kafka, TestTopics topics) {
        // Given the service, and a job whose first attempt failed (2 s backoff)
        String queue = startService(kafka, topics);
        Job job = job("send_email", 1);
        Instant failedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue);
                ItKafka.Collector onEvents = new ItKafka.Collector(kafka, Topics.events(queue))) {
            // When the failure is published
            fail(kafka, queue, failure(job, queue, failedAt));
            // Then the job comes back on the queue as attempt 2, not before it is due
            ItKafka.Received back = await().atMost(WAIT)
                    .until(onQueue::poll, received -> !received.isEmpty())
                    .getFirst();
            Job retried = jobs.decode(queue, back.headers(), back.record().value());
            assertThat(retried.getId()).isEqualTo(job.getId());
            assertThat(retried.getAttempt()).isEqualTo(2);
            assertThat(new String(back.record().key(), StandardCharsets.UTF_8)).isEqualTo(job.getId());
            Instant due = JobHeaders.instant(back.headers(), JobHeaders.DUE_AT).orElseThrow();
            assertThat(due).isAfterOrEqualTo(failedAt.plusSeconds(2));
            assertThat(back.receivedAt()).isAfterOrEqualTo(due);
            // And a RETRY_SCHEDULED event was written
            List<ItKafka.Received> written = await().atMost(WAIT).until(onEvents::poll, r -> !r.isEmpty());
            JobEvent event = events.decode(
                    Topics.events(queue), null, written.getFirst().record().value());
            assertThat(event.getState()).isEqualTo(JobState.RETRY_SCHEDULED);
            assertThat(event.getAttempt()).isEqualTo(2);
        }
        assertThat(registry.get(DlqMeters.RETRIES_SCHEDULED.spec().name())
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("jobstream.delay.lateness").timer().count()).isEqualTo(1);
    }

    @Test
    void servesTheRoutersKafkaStreamsAndClientMetricsUntilClosed(KafkaCluster kafka, TestTopics topics) {
        // Given the service, and a failure it routed back to the queue
        String queue = startService(kafka, topics);
        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue)) {
            fail(kafka, queue, failure(job("flaky", 1), queue, Instant.now()));
            await().atMost(WAIT).until(onQueue::poll, received -> received.size() == 1);
        }
        // Then the registry holds Kafka Streams' metrics and its consumer's records consumed (the one failure), tagged
        // with the router's client id, and the metrics of the forwarder's and the backlog reader's clients
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(registry.getMeters())
                    .filteredOn(m -> m.getId().getName().equals("kafka.consumer.fetch.manager.records.consumed.total")
                            && m.getId().getTag("client.id") != null
                            && m.getId().getTag("client.id").startsWith(Names.dlqRouter(queue))
                            && m.getId().getTag("topic") == null)
                    .extracting(m -> m.measure().iterator().next().getValue())
                    .contains(1.0);
            assertThat(kafkaMeterNames()).anyMatch(name -> name.startsWith("kafka.stream."));
            assertThat(kafkaMeterNames()).anyMatch(name -> name.startsWith("kafka.producer."));
            assertThat(kafkaMeterNames()).anyMatch(name -> name.startsWith("kafka.admin.client."));
        });
        // When it is closed, then none is left
        assertThat(service.close(Duration.ofSeconds(30))).isTrue();
        assertThat(kafkaMeterNames()).isEmpty();
    }

    private List<String> kafkaMeterNames() {
        return registry.getMeters().stream()
                .map(m -> m.getId().getName())
                .filter(name -> name.startsWith("kafka."))
                .toList();
    }

    @Test
    void isReadyWhileRunningAndNotOnceClosed(KafkaCluster kafka, TestTopics topics) throws Exception {
        startService(kafka, topics);
        ReadinessCheck check = service.readinessCheck();
        assertThat(check.check()).isEqualTo(CheckResult.up());
        assertThat(service.close(Duration.ofSeconds(30))).isTrue();
        assertThat(check.check()).isEqualTo(CheckResult.down("closed"));
        assertThat(service.isRunning()).isFalse();
    }

    @Test
    void aJobFailingEveryAttemptIsDeadLetteredOnceWithEveryFailure(KafkaCluster kafka, TestTopics topics) {
        // Given the service and a "flaky" job (4 attempts)
        String queue = startService(kafka, topics);
        Job job = job("flaky", 1);
        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue);
                ItKafka.Collector onDlq = new ItKafka.Collector(kafka, Topics.dlq(queue))) {
            // When every attempt fails, the worker's part played by the test
            for (int attempt = 1; attempt < 4; attempt++) {
                fail(kafka, queue, failure(job, queue, Instant.now()));
                int seen = attempt;
                List<ItKafka.Received> back = await().atMost(WAIT).until(onQueue::poll, r -> r.size() >= seen);
                ItKafka.Received latest = back.getLast();
                job = jobs.decode(queue, latest.headers(), latest.record().value());
                assertThat(job.getAttempt()).isEqualTo(attempt + 1);
            }
            fail(kafka, queue, failure(job, queue, Instant.now()));
            // And then a non-retryable failure of another job follows it through the router
            Job unknown = job("no_such_type", 1);
            fail(kafka, queue, failure(unknown, queue, Instant.now(), FailureReason.UNKNOWN_TYPE, false));
            List<ItKafka.Received> letters = await().atMost(WAIT).until(onDlq::poll, r -> r.size() >= 2);
            // Then the flaky job has exactly one dead letter holding its four failures, with Spring's headers
            assertThat(letters).hasSize(2);
            ItKafka.Received first = letters.get(0);
            DeadLetter letter = deadLetters.decode(
                    Topics.dlq(queue), first.headers(), first.record().value());
            assertThat(letter.getLastFailure().getJob().orElseThrow().getId()).isEqualTo(job.getId());
            assertThat(letter.getHistory())
                    .extracting(FailureRecord::getMessage)
                    .containsExactly(
                            "boom at attempt 1", "boom at attempt 2", "boom at attempt 3", "boom at attempt 4");
            assertThat(JobHeaders.text(first.headers(), JobHeaders.DLT_ORIGINAL_TOPIC))
                    .contains(queue);
            assertThat(first.headers()
                            .lastHeader(JobHeaders.DLT_ORIGINAL_PARTITION)
                            .value())
                    .isEqualTo(JobHeaders.dltInt(2));
            assertThat(first.headers()
                            .lastHeader(JobHeaders.DLT_ORIGINAL_OFFSET)
                            .value())
                    .isEqualTo(JobHeaders.dltLong(41));
            assertThat(JobHeaders.text(first.headers(), JobHeaders.DLT_EXCEPTION_FQCN))
                    .contains("java.lang.IllegalStateException");
            assertThat(JobHeaders.text(first.headers(), JobHeaders.DLT_EXCEPTION_MESSAGE))
                    .contains("boom at attempt 4");
            // And the non-retryable one was dead-lettered at once, with its single failure
            DeadLetter second = deadLetters.decode(
                    Topics.dlq(queue),
                    letters.get(1).headers(),
                    letters.get(1).record().value());
            assertThat(second.getLastFailure().getJob().orElseThrow().getId()).isEqualTo(unknown.getId());
            assertThat(second.getHistory())
                    .extracting(FailureRecord::getReason)
                    .containsExactly(FailureReason.UNKNOWN_TYPE);
            // And neither came back to the queue after its last failure
            assertThat(onQueue.poll()).hasSize(3);
        }
        assertThat(registry.get(DlqMeters.DEAD_LETTERS.spec().name())
                        .tags("type", "flaky")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}
