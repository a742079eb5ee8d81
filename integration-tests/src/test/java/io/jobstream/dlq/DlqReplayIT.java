package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.replay.DeadLetterEntry;
import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayItem;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.replay.ReplaySummary;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.Scope;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** Listing and replaying dead letters on a real broker; the dead letters are written to {@code <queue>.dlq} as the router writes them. */
@JobstreamTest
class DlqReplayIT {
    /** The header the router keeps a job's failure history in (a wire name: part of the contract). */
    private static final String FAILURE_HISTORY = "jobstream.failure-history";

    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final String OPS_TOKEN = "ops-token-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant DEAD_AT = Instant.parse("2026-11-22T06:00:00Z");

    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);

    /** A queue with its topics, holding dead letters: 2 send_email HANDLER_ERROR, 1 send_email TIMEOUT, 1 resize. */
    private record Fixture(String queue, List<Job> jobs) {}

    private Fixture fixture(KafkaCluster kafka, TestTopics topics) {
        String queue = topics.unique("replay");
        ItKafka.createQueueTopics(kafka, queue, DelayTiers.of(Duration.ofSeconds(1)));
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1, Map.of("cleanup.policy", "compact"));
        List<Job> dead = List.of(
                TestJobs.job("send_email", 4),
                TestJobs.job("send_email", 4),
                TestJobs.job("send_email", 2),
                TestJobs.job("resize", 4));
        List<FailureReason> reasons = List.of(
                FailureReason.HANDLER_ERROR,
                FailureReason.HANDLER_ERROR,
                FailureReason.TIMEOUT,
                FailureReason.HANDLER_ERROR);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < dead.size(); i++) {
            Job job = dead.get(i);
            Map<String, String> withHistory = new HashMap<>(job.getHeaders());
            withHistory.put(FAILURE_HISTORY, "[{\"r\":\"HANDLER_ERROR\",\"m\":\"boom\",\"at\":1}]");
            Job stored = Job.newBuilder(job).setHeaders(withHistory).build();
            DeadLetter letter = DeadLetter.newBuilder()
                    .setLastFailure(TestJobs.failure(stored, queue, DEAD_AT, reasons.get(i), true))
                    .setHistory(List.of(FailureRecord.newBuilder()
                            .setReason(reasons.get(i))
                            .setMessage("boom")
                            .setAt(DEAD_AT)
                            .build()))
                    .setDeadAt(DEAD_AT.plusSeconds(i))
                    .build();
            RecordHeaders headers = new RecordHeaders();
            JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
            JobHeaders.putText(headers, JobHeaders.ATTEMPT, Integer.toString(job.getAttempt()));
            headers.add(JobHeaders.DLT_ORIGINAL_TOPIC, queue.getBytes(StandardCharsets.UTF_8));
            records.add(new ProducerRecord<>(
                    Topics.dlq(queue),
                    0,
                    null,
                    ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    deadLetters.encode(Topics.dlq(queue), letter),
                    headers));
        }
        ItKafka.sendAll(kafka, records);
        return new Fixture(queue, dead);
    }

    private static DlqReplay replayer(KafkaCluster kafka) {
        return DlqReplay.create(
                KafkaSettings.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .build(),
                SERDES,
                Clock.systemUTC());
    }

    private static List<ItKafka.Received> readAll(KafkaCluster kafka, String topic, int expected) {
        try (ItKafka.Collector collector = new ItKafka.Collector(kafka, topic)) {
            return await().atMost(WAIT).until(collector::poll, r -> r.size() >= expected);
        }
    }

    @Test
    void listAndDryRunSelectByFilterAndWriteNothing(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given four dead letters
        Fixture f = fixture(kafka, topics);
        try (DlqReplay dlq = replayer(kafka)) {
            // When listing with filters
            assertThat(dlq.list(ReplayFilter.all(f.queue()))).hasSize(4);
            assertThat(dlq.list(ReplayFilter.all(f.queue()).withType("send_email")))
                    .extracting(DeadLetterEntry::jobId)
                    .containsExactly(
                            f.jobs().get(0).getId(),
                            f.jobs().get(1).getId(),
                            f.jobs().get(2).getId());
            assertThat(dlq.list(
                            ReplayFilter.all(f.queue()).withType("send_email").withReason("timeout")))
                    .extracting(DeadLetterEntry::jobId)
                    .containsExactly(f.jobs().get(2).getId());
            assertThat(dlq.list(ReplayFilter.all(f.queue())
                            .withSince(DEAD_AT.plusSeconds(1))
                            .withLimit(2)))
                    .extracting(DeadLetterEntry::offset)
                    .containsExactly(1L, 2L);
            assertThat(dlq.list(ReplayFilter.all(f.queue())
                            .withIds(Set.of(f.jobs().get(3).getId()))))
                    .extracting(DeadLetterEntry::type)
                    .containsExactly("resize");
            // And showing one
            DeadLetterEntry shown = dlq.show(f.queue(), 0, 3).orElseThrow();
            assertThat(shown.jobId()).isEqualTo(f.jobs().get(3).getId());
            assertThat(shown.letter().getHistory()).hasSize(1);
            assertThat(dlq.show(f.queue(), 0, 4)).isEmpty();

            // When dry-running a replay of the HANDLER_ERROR send_email jobs
            ReplaySummary dry = dlq.replay(ReplayRequest.of(
                            ReplayFilter.all(f.queue()).withType("send_email").withReason("HANDLER_ERROR"))
                    .asDryRun());
            // Then it reports exactly those two, and wrote nothing anywhere
            assertThat(dry.matched()).isEqualTo(2);
            assertThat(dry.replayed()).isEqualTo(2);
            assertThat(dry.items())
                    .extracting(i -> i.entry().jobId(), ReplayItem::outcome)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    f.jobs().get(0).getId(), ReplayItem.Outcome.WOULD_REPLAY),
                            org.assertj.core.groups.Tuple.tuple(
                                    f.jobs().get(1).getId(), ReplayItem.Outcome.WOULD_REPLAY));
        }
        {
            var admin = kafka.admin(); // shared, owned by the cluster
            var offsets = admin.listOffsets(Map.of(
                            new org.apache.kafka.common.TopicPartition(f.queue(), 0),
                            org.apache.kafka.clients.admin.OffsetSpec.latest(),
                            new org.apache.kafka.common.TopicPartition(Topics.events(f.queue()), 0),
                            org.apache.kafka.clients.admin.OffsetSpec.latest(),
                            new org.apache.kafka.common.TopicPartition(Topics.dlqReplayed(f.queue()), 0),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all()
                    .get();
            assertThat(offsets.values()).allSatisfy(o -> assertThat(o.offset()).isZero());
        }
    }

    @Test
    void aReplayRepublishesAttemptOneWithItsOriginAndEmitsReplayedAndRunningItTwiceReplaysOnce(
            KafkaCluster kafka, TestTopics topics) {
        // Given four dead letters
        Fixture f = fixture(kafka, topics);
        Job first = f.jobs().getFirst();
        try (DlqReplay dlq = replayer(kafka)) {
            // When the send_email ones are replayed, with progress
            List<Integer> progress = new ArrayList<>();
            ReplaySummary once = dlq.replay(
                    ReplayRequest.of(ReplayFilter.all(f.queue()).withType("send_email")),
                    (item, done, total) -> progress.add(done * 10 + total));
            // Then three were replayed
            assertThat(once.matched()).isEqualTo(3);
            assertThat(once.replayed()).isEqualTo(3);
            assertThat(once.alreadyReplayed()).isZero();
            assertThat(progress).containsExactly(13, 23, 33);

            // When the same replay runs again
            ReplaySummary twice =
                    dlq.replay(ReplayRequest.of(ReplayFilter.all(f.queue()).withType("send_email")));
            // Then nothing is republished: all three were already replayed
            assertThat(twice.matched()).isEqualTo(3);
            assertThat(twice.replayed()).isZero();
            assertThat(twice.alreadyReplayed()).isEqualTo(3);
            assertThat(dlq.list(ReplayFilter.all(f.queue())))
                    .extracting(DeadLetterEntry::replayed)
                    .containsExactly(true, true, true, false);

            // And a forced replay of one republishes it again
            ReplaySummary forced =
                    dlq.replay(ReplayRequest.of(ReplayFilter.all(f.queue()).withIds(Set.of(first.getId())))
                            .asForced());
            assertThat(forced.replayed()).isEqualTo(1);
        }
        // Then the queue holds exactly 3 + 1 jobs, in order
        List<ItKafka.Received> onQueue = readAll(kafka, f.queue(), 4);
        assertThat(onQueue).hasSize(4);
        ItKafka.Received r = onQueue.getFirst();
        Job replayed = jobs.decode(f.queue(), r.headers(), r.record().value());
        // with attempt 1, the key and job headers kept, the failure history gone and its origin in a header
        assertThat(replayed.getId()).isEqualTo(first.getId());
        assertThat(replayed.getAttempt()).isEqualTo(1);
        assertThat(replayed.getHeaders()).containsEntry("tenant", "acme").doesNotContainKey(FAILURE_HISTORY);
        assertThat(new String(r.record().key(), StandardCharsets.UTF_8)).isEqualTo("key-0");
        assertThat(JobHeaders.text(r.headers(), JobHeaders.REPLAYED_FROM)).contains(Topics.dlq(f.queue()) + "/0/0");
        assertThat(JobHeaders.text(r.headers(), JobHeaders.ATTEMPT)).contains("1");
        assertThat(JobHeaders.text(r.headers(), JobHeaders.JOB_ID)).contains(first.getId());
        assertThat(r.headers().lastHeader(JobHeaders.DLT_ORIGINAL_TOPIC)).isNull();
        assertThat(onQueue.stream().map(x -> JobHeaders.text(x.headers(), JobHeaders.REPLAYED_FROM)
                        .orElseThrow()))
                .containsExactly(
                        Topics.dlq(f.queue()) + "/0/0",
                        Topics.dlq(f.queue()) + "/0/1",
                        Topics.dlq(f.queue()) + "/0/2",
                        Topics.dlq(f.queue()) + "/0/0");
        // And a REPLAYED event per republish
        List<ItKafka.Received> onEvents = readAll(kafka, Topics.events(f.queue()), 4);
        JobEvent event = events.decode(
                Topics.events(f.queue()), null, onEvents.getFirst().record().value());
        assertThat(event.getState()).isEqualTo(JobState.REPLAYED);
        assertThat(event.getJobId()).isEqualTo(first.getId());
        assertThat(event.getAttempt()).isEqualTo(1);
        assertThat(onEvents).hasSize(4);
    }

    @Test
    void replayedJobsRunThroughTheProcessorAndSucceed(KafkaCluster kafka, TestTopics topics) {
        // Given dead send_email jobs replayed to their queue
        Fixture f = fixture(kafka, topics);
        try (DlqReplay dlq = replayer(kafka)) {
            assertThat(dlq.replay(ReplayRequest.of(ReplayFilter.all(f.queue()).withType("send_email")))
                            .replayed())
                    .isEqualTo(3);
        }
        // When a processor runs the queue with a send_email handler that succeeds
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        JobProcessor processor = JobProcessor.builder(ProcessorConfig.builder(
                                f.queue(),
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .serde(SERDES)
                        .build())
                .handle("send_email", (ctx, payload) -> attempts.put(ctx.id(), ctx.attempt()))
                .build()
                .start();
        try {
            // Then each replayed job runs once more, as attempt 1, and succeeds (nothing fails again)
            await().atMost(WAIT).until(() -> attempts.size() == 3);
            assertThat(attempts)
                    .containsOnlyKeys(
                            f.jobs().get(0).getId(),
                            f.jobs().get(1).getId(),
                            f.jobs().get(2).getId())
                    .containsValues(1);
            assertThat(attempts.values()).containsOnly(1);
        } finally {
            processor.close(Duration.ofSeconds(30));
        }
        try (ItKafka.Collector failed = new ItKafka.Collector(kafka, Topics.failed(f.queue()))) {
            assertThat(failed.poll()).isEmpty();
        }
    }

    @Test
    void aRateSpacesTheReplays(KafkaCluster kafka, TestTopics topics) {
        // Given three dead send_email jobs
        Fixture f = fixture(kafka, topics);
        try (DlqReplay dlq = replayer(kafka)) {
            // When they are replayed at 4 per second
            ReplaySummary summary =
                    dlq.replay(ReplayRequest.of(ReplayFilter.all(f.queue()).withType("send_email"))
                            .rate(4));
            assertThat(summary.replayed()).isEqualTo(3);
        }
        // Then the republished records are stamped 250 ms or more apart
        List<Long> stamps = readAll(kafka, f.queue(), 3).stream()
                .map(r -> r.record().timestamp())
                .toList();
        assertThat(stamps.get(1)).isGreaterThanOrEqualTo(stamps.get(0) + 250);
        assertThat(stamps.get(2)).isGreaterThanOrEqualTo(stamps.get(1) + 250);
    }

    @Test
    void replayToAnotherQueue(KafkaCluster kafka, TestTopics topics) {
        // Given dead letters and a second queue
        Fixture f = fixture(kafka, topics);
        String other = topics.unique("other");
        kafka.createTopic(other, 1, 1);
        kafka.createTopic(Topics.events(other), 1, 1);
        try (DlqReplay dlq = replayer(kafka)) {
            // When the resize job is replayed to it
            ReplaySummary summary =
                    dlq.replay(ReplayRequest.of(ReplayFilter.all(f.queue()).withType("resize"))
                            .toQueue(other));
            assertThat(summary.replayed()).isEqualTo(1);
        }
        // Then it is on the other queue, with its REPLAYED event there
        List<ItKafka.Received> onOther = readAll(kafka, other, 1);
        assertThat(jobs.decode(
                                other,
                                onOther.getFirst().headers(),
                                onOther.getFirst().record().value())
                        .getId())
                .isEqualTo(f.jobs().get(3).getId());
        assertThat(readAll(kafka, Topics.events(other), 1)).hasSize(1);
    }

    @Test
    void replayingAQueueWithoutItsReplayedTopicFailsNamingIt(KafkaCluster kafka, TestTopics topics) {
        String queue = topics.unique("bare");
        kafka.createTopic(Topics.dlq(queue), 1, 1);
        try (DlqReplay dlq = replayer(kafka)) {
            assertThatThrownBy(() -> dlq.replay(ReplayRequest.of(ReplayFilter.all(queue))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Topics.dlqReplayed(queue));
            // a dry run needs no such topic
            assertThat(dlq.replay(ReplayRequest.of(ReplayFilter.all(queue)).asDryRun())
                            .matched())
                    .isZero();
        }
    }

    @Test
    void theAdminRoutesListAndReplayOverHttp(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given dead letters and the routes on a local HTTP server
        Fixture f = fixture(kafka, topics);
        DlqService service = DlqService.builder(
                        DlqServiceConfig.defaults(List.of(f.queue())),
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .serdes(SERDES)
                .build();
        AdminServer server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HttpConfig.defaults(List.of(
                        AccessToken.of("ops", OPS_TOKEN, Set.of(Scope.DLQ_READ, Scope.DLQ_REPLAY), Set.of(f.queue())))))
                .start();
        service.adminRoutes().forEach(server::route);
        ObjectMapper json = new ObjectMapper();
        String base = "http://127.0.0.1:" + server.port() + "/v1/queues/" + f.queue();
        try (HttpClient http = HttpClient.newHttpClient()) {
            // When listing with filters
            HttpResponse<String> list = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/dlq?type=send_email&reason=HANDLER_ERROR&limit=5"))
                            .header("Authorization", "Bearer " + OPS_TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // Then the matching dead letters come back as JSON
            assertThat(list.statusCode()).isEqualTo(200);
            JsonNode entries = json.readTree(list.body());
            assertThat(entries).hasSize(2);
            assertThat(entries.get(0).path("jobId").asText())
                    .isEqualTo(f.jobs().get(0).getId());
            assertThat(entries.get(0).path("history")).hasSize(1);

            // When dry-running, then replaying, then replaying again over HTTP
            String body = "{\"type\":\"resize\",\"dryRun\":true}";
            JsonNode dry = post(http, json, base + "/dlq:replay", body);
            JsonNode real = post(http, json, base + "/dlq:replay", "{\"type\":\"resize\"}");
            JsonNode again = post(http, json, base + "/dlq:replay", "{\"type\":\"resize\"}");
            // Then the dry run would replay one, the replay does, and the second finds it replayed already
            assertThat(dry.path("items").get(0).path("outcome").asText()).isEqualTo("WOULD_REPLAY");
            assertThat(real.path("replayed").asInt()).isEqualTo(1);
            assertThat(again.path("replayed").asInt()).isZero();
            assertThat(again.path("alreadyReplayed").asInt()).isEqualTo(1);

            // And bad input is a 400 naming the problem
            HttpResponse<String> bad = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/dlq?limit=0"))
                            .header("Authorization", "Bearer " + OPS_TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("limit");
        } finally {
            server.close();
            service.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void twoReplaysOfOneQueueRunningAtOnceRepublishEachDeadLetterOnce(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given 200 dead letters
        String queue = topics.unique("concurrent");
        ItKafka.createQueueTopics(kafka, queue, DelayTiers.of(Duration.ofSeconds(1)));
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1, Map.of("cleanup.policy", "compact"));
        int total = 200;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Job job = TestJobs.job("send_email", 3);
            DeadLetter letter = DeadLetter.newBuilder()
                    .setLastFailure(TestJobs.failure(job, queue, DEAD_AT))
                    .setHistory(List.of())
                    .setDeadAt(DEAD_AT)
                    .build();
            records.add(new ProducerRecord<>(
                    Topics.dlq(queue),
                    0,
                    null,
                    job.getId().getBytes(StandardCharsets.UTF_8),
                    deadLetters.encode(Topics.dlq(queue), letter),
                    new RecordHeaders()));
        }
        ItKafka.sendAll(kafka, records);

        // When replay A runs (paced, one transaction per job) and replay B of the same queue starts while A is under
        // way, after A has committed 20 of them
        AtomicInteger doneByA = new AtomicInteger();
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        Thread a = Thread.ofVirtual().start(() -> outcomes.put("A", replayAll(kafka, queue, doneByA)));
        await().atMost(WAIT).until(() -> doneByA.get() >= 20);
        Thread b = Thread.ofVirtual().start(() -> outcomes.put("B", replayAll(kafka, queue, new AtomicInteger())));
        a.join(WAIT.toMillis());
        b.join(WAIT.toMillis());
        assertThat(a.isAlive() || b.isAlive()).as("both replays ended").isFalse();

        // Then B completed, and the queue holds each dead letter's job exactly once: 200 jobs, not more
        assertThat(outcomes.get("B")).isInstanceOf(ReplaySummary.class);
        List<String> origins = readCommitted(kafka, queue).stream()
                .map(r -> JobHeaders.text(r.headers(), JobHeaders.REPLAYED_FROM).orElseThrow())
                .toList();
        assertThat(origins).hasSize(total).doesNotHaveDuplicates();
        // And every dead letter is recorded as replayed
        try (DlqReplay dlq = replayer(kafka)) {
            assertThat(dlq.list(ReplayFilter.all(queue))).hasSize(total).allMatch(DeadLetterEntry::replayed);
        }
    }

    /** Replays every dead letter of {@code queue} at 100 a second; the summary, or the exception that ended it. */
    private static Object replayAll(KafkaCluster kafka, String queue, AtomicInteger done) {
        try (DlqReplay dlq = replayer(kafka)) {
            return dlq.replay(ReplayRequest.of(ReplayFilter.all(queue)).rate(100), (item, n, total) -> done.set(n));
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Every record of {@code topic} (one partition) up to its last stable offset, read_committed. */
    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(KafkaCluster kafka, String topic) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TopicPartition partition = new TopicPartition(topic, 0);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return consumer.position(partition) >= end;
            });
        }
        return read;
    }

    private static JsonNode post(HttpClient http, ObjectMapper json, String url, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + OPS_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
