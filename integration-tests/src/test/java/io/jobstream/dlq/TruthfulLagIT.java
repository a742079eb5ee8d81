package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.dlq.lag.LagMonitorConfig;
import io.jobstream.dlq.lag.LagSnapshot;
import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.NonRetryableException;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lag tells the truth: after a forwarded retry, a replay and an aborted transaction (each leaves a transaction marker,
 * or aborted records, at the end of the queue) the worker's and the forwarder's groups show lag 0 and status OK, as
 * {@code jobstream lag --json} prints them, and no lag alert is raised; and a stopped group's lag in seconds is the age
 * of its oldest waiting job, read from the record.
 */
@JobstreamTest
class TruthfulLagIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Duration BACKOFF = Duration.ofMillis(500);
    private static final Duration MONITOR_INTERVAL = Duration.ofMillis(250);
    private static final int MONITOR_WINDOW = 8;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());

    @TempDir
    Path stateDir;

    static final class Broken extends NonRetryableException {
        private static final long serialVersionUID = 1L;

        Broken(String message) {
            super(message);
        }
    }

    @Test
    void lagReachesZeroPastAForwardedRetryAReplayAndAnAbortedTransactionWithoutAnAlert(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue, the dlq-service, a worker at its default settings, and the lag monitor over the worker's and
        // the delay forwarder's groups (alerts recorded)
        String queue = topics.unique("truth");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1, Map.of("cleanup.policy", "compact"));
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        RetryPolicy policy =
                new RetryPolicy(3, new Backoff(BACKOFF, 1.0, BACKOFF, Backoff.Jitter.NONE), Set.of(), Set.of());
        DlqServiceConfig dlqConfig = ItKafka.fastDlqConfig(queue, TIERS, policy, stateDir);
        String workers = Names.workerGroup(queue);
        String forwarder = Names.delayForwarderGroup(queue);
        LagMonitorConfig monitorConfig = LagMonitorConfig.builder()
                .interval(MONITOR_INTERVAL)
                .window(MONITOR_WINDOW)
                .groupPattern(Pattern.quote(workers) + "|" + Pattern.quote(forwarder))
                .build();
        List<Integer> flaky = new CopyOnWriteArrayList<>();
        AtomicBoolean repaired = new AtomicBoolean();
        AtomicInteger brokenRuns = new AtomicInteger();
        List<LagListener.Change> alerts = new CopyOnWriteArrayList<>();
        try (DlqService service =
                        DlqService.builder(dlqConfig, settings).build().start();
                JobProcessor worker = JobProcessor.builder(
                                ProcessorConfig.builder(queue, settings).build())
                        .handle("flaky", (ctx, payload) -> {
                            flaky.add(ctx.attempt());
                            if (ctx.attempt() == 1) {
                                throw new IllegalStateException("flaky attempt 1");
                            }
                        })
                        .handle("broken", (ctx, payload) -> {
                            brokenRuns.incrementAndGet();
                            if (!repaired.get()) {
                                throw new Broken("broken until repaired");
                            }
                        })
                        .build()
                        .start();
                LagMonitor monitor = LagMonitor.create(
                        monitorConfig, kafka.admin(), settings, new SimpleMeterRegistry(), Clock.systemUTC());
                DlqReplay replay = DlqReplay.create(settings, SerdeConfig.singleObject(), Clock.systemUTC())) {
            monitor.addListener(alerts::add);
            monitor.start();
            await().atMost(WAIT).until(service::isRunning);

            // When a job fails once and its retry comes back to the queue through the delay forwarder's transaction
            ItKafka.send(kafka, job(queue, "flaky"));
            await().atMost(WAIT).until(() -> flaky.size() >= 2);

            // Then the worker's group reaches lag 0 and OK past the commit marker, and so does the forwarder's
            awaitCaughtUp(monitor, workers, 1);
            awaitCaughtUp(monitor, forwarder, 1);

            // When a dead-lettered job is replayed (in a transaction) and then runs
            ItKafka.send(kafka, job(queue, "broken"));
            await().atMost(WAIT)
                    .until(() -> !replay.list(ReplayFilter.all(queue)).isEmpty());
            repaired.set(true);
            assertThat(replay.replay(ReplayRequest.of(ReplayFilter.all(queue))).replayed())
                    .isEqualTo(1);
            await().atMost(WAIT).until(() -> brokenRuns.get() >= 2);

            // Then the worker's group is caught up again
            awaitCaughtUp(monitor, workers, 1);

            // When a transaction writing two jobs to the queue is aborted
            abortedTransaction(kafka, queue);

            // Then the worker's group is caught up past the aborted records and the abort marker
            awaitCaughtUp(monitor, workers, 1);

            // And a full window of samples later no lag status changed: no alert
            Instant caughtUp = Instant.now();
            await().atMost(WAIT).until(() -> monitor.snapshot()
                    .orElseThrow()
                    .takenAt()
                    .isAfter(caughtUp.plus(MONITOR_INTERVAL.multipliedBy(MONITOR_WINDOW + 1L))));
            assertThat(jsonLines(monitor.snapshot().orElseThrow(), workers))
                    .allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("OK"));
            assertThat(alerts).isEmpty();
        }
    }

    @Test
    void aStoppedGroupsLagSecondsAreTheAgeOfItsOldestWaitingJobFromItsRecord(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given five jobs published 20 s ago (record timestamps) to a queue whose group committed offset 0 and stopped
        String queue = topics.unique("stopped");
        kafka.createTopic(queue, 1, 1);
        Instant publishedAt = Instant.now().minusSeconds(20);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ProducerRecord<byte[], byte[]> job = job(queue, "noop");
            records.add(new ProducerRecord<>(queue, 0, publishedAt.toEpochMilli(), job.key(), job.value()));
        }
        ItKafka.sendAll(kafka, records);
        String group = Names.workerGroup(queue);
        kafka.admin()
                .alterConsumerGroupOffsets(group, Map.of(new TopicPartition(queue, 0), new OffsetAndMetadata(0)))
                .all()
                .get();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        // When the lag is sampled once, as a one-shot `jobstream lag --json` does
        LagSnapshot snapshot;
        double gaugeSeconds;
        try (LagMonitor monitor = LagMonitor.create(
                LagMonitorConfig.builder()
                        .groupPattern(Pattern.quote(group))
                        .groups(List.of(group))
                        .build(),
                kafka.admin(),
                KafkaSettings.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .build(),
                registry,
                Clock.systemUTC())) {
            snapshot = monitor.sampleNow();
            gaugeSeconds = registry.get("jobstream.consumer.lag.time")
                    .tag("group", group)
                    .gauge()
                    .value();
        }
        // (20 s, plus however long this slow machine took from publishing to sampling)
        double age = Duration.between(publishedAt, snapshot.takenAt()).toMillis() / 1000.0;
        assertThat(age).isGreaterThanOrEqualTo(20.0);

        // Then the partition lags 5 jobs whose oldest is 20 s old, read from its record, not a lower bound
        assertThat(jsonLines(snapshot, group)).singleElement().satisfies(line -> {
            assertThat(line.get("lag").asLong()).isEqualTo(5);
            assertThat(line.get("lagSeconds").asDouble()).isCloseTo(age, within(2.0));
            assertThat(line.get("lagSecondsSource").asText()).isEqualTo("record");
            assertThat(line.get("lagSecondsLowerBound").asBoolean()).isFalse();
        });
        // And the seconds gauge carries the same age
        assertThat(gaugeSeconds).isCloseTo(age, within(2.0));
    }

    /** Waits until every partition of {@code group} (at least {@code partitions}) shows lag 0 and status OK. */
    private static void awaitCaughtUp(LagMonitor monitor, String group, int partitions) {
        await().atMost(WAIT).untilAsserted(() -> {
            List<JsonNode> lines = jsonLines(monitor.snapshot().orElseThrow(), group);
            assertThat(lines).hasSizeGreaterThanOrEqualTo(partitions);
            assertThat(lines).allSatisfy(line -> {
                assertThat(line.get("lag").asLong()).as(line.toString()).isZero();
                assertThat(line.get("status").asText()).as(line.toString()).isEqualTo("OK");
            });
        });
    }

    /** The lines of {@code group} in the snapshot's JSON output (what {@code jobstream lag --json} prints). */
    private static List<JsonNode> jsonLines(LagSnapshot snapshot, String group) {
        return snapshot.toJsonLines()
                .lines()
                .map(line -> {
                    try {
                        return JSON.readTree(line);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .filter(line -> line.get("group").asText().equals(group))
                .toList();
    }

    private static void abortedTransaction(KafkaCluster kafka, String queue) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aborting-" + queue);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(job(queue, "flaky"));
            producer.send(job(queue, "flaky"));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> job(String queue, String type) {
        Job job = Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
        return new ProducerRecord<>(queue, job.getId().getBytes(StandardCharsets.UTF_8), JOBS.encode(queue, job));
    }
}
