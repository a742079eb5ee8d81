package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.replay.ReplaySummary;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job status by id against a real broker: jobs published through the API, outcome events written the way the
 * processor and the dlq-service write them (the replay by the real {@link DlqReplay}), answers over HTTP.
 */
@JobstreamTest
class JobStatusIT {
    private static final String TOKEN = "status-it-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    Path stateDir;

    @Test
    void aJobThatFailsTwiceThenSucceedsShowsSucceededThreeAttemptsAndItsEvents(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API with the job-status projection
        String queue = names.unique("status");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (IngestApi api = startApi(kafka, queue, names.unique("jobstream-status"));
                HttpClient http = HttpClient.newHttpClient();
                StatusEvents events = new StatusEvents(kafka, queue, "send_email")) {
            awaitReady(http, api.uri());

            // When a job is published through the API, fails twice and then succeeds
            String id = publish(http, api.uri(), queue, "send_email");
            events.write(id, JobState.STARTED, 1, "worker-a", null);
            events.write(id, JobState.FAILED, 1, "worker-a", "HANDLER_ERROR java.io.IOException: smtp down");
            events.write(id, JobState.RETRY_SCHEDULED, 2, null, "HANDLER_ERROR java.io.IOException: smtp down");
            events.write(id, JobState.STARTED, 2, "worker-b", null);
            events.write(id, JobState.FAILED, 2, "worker-b", "HANDLER_ERROR java.io.IOException: smtp slow");
            events.write(id, JobState.RETRY_SCHEDULED, 3, null, "HANDLER_ERROR java.io.IOException: smtp slow");
            events.write(id, JobState.STARTED, 3, "worker-a", null);
            events.write(id, JobState.SUCCEEDED, 3, "worker-a", null);

            // Then GET /v1/jobs/{id} shows it succeeded after 3 attempts, enqueued first, with its last error
            JsonNode status = awaitState(http, api.uri(), id, "SUCCEEDED");
            assertThat(status.get("attempts").asInt()).isEqualTo(3);
            assertThat(status.get("queue").asText()).isEqualTo(queue);
            assertThat(status.get("type").asText()).isEqualTo("send_email");
            assertThat(status.get("lastError").asText()).isEqualTo("HANDLER_ERROR java.io.IOException: smtp slow");
            assertThat(status.get("firstEnqueuedAt").isNull()).isFalse();
            assertThat(states(status))
                    .containsExactly(
                            "ENQUEUED",
                            "STARTED",
                            "FAILED",
                            "RETRY_SCHEDULED",
                            "STARTED",
                            "FAILED",
                            "RETRY_SCHEDULED",
                            "STARTED",
                            "SUCCEEDED");

            // And GET .../events lists the same events; an unknown id is a 404 with a reason
            HttpResponse<String> eventsAnswer = get(http, api.uri(), "/v1/jobs/" + id + "/events");
            assertThat(eventsAnswer.statusCode()).isEqualTo(200);
            assertThat(states(JSON.readTree(eventsAnswer.body()))).hasSize(9);
            HttpResponse<String> unknown = get(http, api.uri(), "/v1/jobs/no-such-job");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).get("error").asText()).isEqualTo("JOB_NOT_FOUND");
        }
    }

    @Test
    void aDeadLetteredJobShowsDeadLetteredThenReplayedThenItsNewOutcome(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API with the job-status projection
        String queue = names.unique("status-dlq");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (IngestApi api = startApi(kafka, queue, names.unique("jobstream-status"));
                HttpClient http = HttpClient.newHttpClient();
                StatusEvents events = new StatusEvents(kafka, queue, "charge")) {
            awaitReady(http, api.uri());

            // When a published job fails its 2 attempts and the dlq-service dead-letters it
            String id = publish(http, api.uri(), queue, "charge");
            events.write(id, JobState.FAILED, 1, "worker-a", "HANDLER_ERROR card declined");
            events.write(id, JobState.RETRY_SCHEDULED, 2, null, "HANDLER_ERROR card declined");
            events.write(id, JobState.FAILED, 2, "worker-a", "HANDLER_ERROR card declined");
            events.deadLetter(id, 2);

            // Then it shows DEAD_LETTERED
            JsonNode dead = awaitState(http, api.uri(), id, "DEAD_LETTERED");
            assertThat(dead.get("attempts").asInt()).isEqualTo(2);
            assertThat(dead.get("lastError").asText()).startsWith("MAX_ATTEMPTS");

            // When the real DlqReplay replays it (REPLAYED event, the job back on the queue)
            try (DlqReplay replay = DlqReplay.create(events.settings())) {
                ReplaySummary summary =
                        replay.replay(ReplayRequest.of(ReplayFilter.all(queue).withIds(Set.of(id))));
                assertThat(summary.replayed()).isEqualTo(1);
            }

            // Then it shows REPLAYED
            awaitState(http, api.uri(), id, "REPLAYED");

            // When the replayed job succeeds
            events.write(id, JobState.SUCCEEDED, 1, "worker-b", null);

            // Then it shows SUCCEEDED, 3 attempts in all, and the replay among its events
            JsonNode done = awaitState(http, api.uri(), id, "SUCCEEDED");
            assertThat(done.get("attempts").asInt()).isEqualTo(3);
            assertThat(states(done))
                    .containsExactly(
                            "ENQUEUED",
                            "FAILED",
                            "RETRY_SCHEDULED",
                            "FAILED",
                            "DEAD_LETTERED",
                            "REPLAYED",
                            "SUCCEEDED");
        }
    }

    @Test
    void anAbortedReplayLeavesTheJobDeadLettered(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a dead-lettered job
        String queue = names.unique("status-abort");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (IngestApi api = startApi(kafka, queue, names.unique("jobstream-status"));
                HttpClient http = HttpClient.newHttpClient();
                StatusEvents events = new StatusEvents(kafka, queue, "charge")) {
            awaitReady(http, api.uri());
            String id = publish(http, api.uri(), queue, "charge");
            events.deadLetter(id, 1);
            awaitState(http, api.uri(), id, "DEAD_LETTERED");

            // When a replay's transaction writes its REPLAYED event and is aborted, and a later committed
            // transaction writes an event of another job to the same .events partition
            String other = idOnTheSameEventsPartition(id, 3);
            Map<String, Object> props = new HashMap<>(events.settings().producerProperties());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, names.unique("aborted-replay"));
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(events.record(id, JobState.REPLAYED, 1, null, null));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(events.record(other, JobState.FAILED, 1, "worker-a", "HANDLER_ERROR boom"));
                producer.commitTransaction();
            }

            // Then once the projection has read past both, the job is still DEAD_LETTERED, without a REPLAYED event
            awaitState(http, api.uri(), other, "FAILED");
            HttpResponse<String> response = get(http, api.uri(), "/v1/jobs/" + id);
            JsonNode status = JSON.readTree(response.body());
            assertThat(status.get("state").asText()).isEqualTo("DEAD_LETTERED");
            assertThat(states(status)).doesNotContain("REPLAYED");
        }
    }

    /** A job id that Kafka's default partitioner puts in the same partition (of {@code partitions}) as {@code id}. */
    private static String idOnTheSameEventsPartition(String id, int partitions) {
        int target = partitionOf(id, partitions);
        while (true) {
            String candidate = Ulid.next();
            if (partitionOf(candidate, partitions) == target) {
                return candidate;
            }
        }
    }

    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Test
    void aJobIsAnsweredThroughTheReplicaThatDoesNotOwnIt(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue with 4 partitions and two API replicas of one projection (two application.server ports)
        String queue = names.unique("status-replicas");
        QueueTopics.using(kafka.admin()).create(queue, 4, 1);
        String applicationId = names.unique("jobstream-status");
        KafkaSettings settings = Kafka.settings(kafka, Map.of());
        IngestApiConfig apiConfig = apiConfig();
        try (AdminServer serverA = server();
                AdminServer serverB = server();
                JobStatusProjection a = replica(queue, applicationId, "a", apiConfig, settings, serverA);
                JobStatusProjection b = replica(queue, applicationId, "b", apiConfig, settings, serverB);
                HttpClient http = HttpClient.newHttpClient();
                StatusEvents events = new StatusEvents(kafka, queue, "job")) {
            URI uriA = URI.create("http://" + a.advertisedAddress());
            URI uriB = URI.create("http://" + b.advertisedAddress());
            awaitReady(http, uriA);
            awaitReady(http, uriB);

            // And two job ids whose partition replica A owns (B says so)
            List<String> ownedByA = new java.util.ArrayList<>();
            Awaitility.await("job ids owned by replica A").atMost(WAIT).until(() -> {
                ownedByA.clear();
                for (int i = 0; i < 64 && ownedByA.size() < 2; i++) {
                    String candidate = "job-" + i;
                    if (b.lookup(candidate) instanceof JobStatusLookup.Elsewhere owner
                            && owner.address().equals(a.advertisedAddress())
                            && a.lookup(candidate) instanceof JobStatusLookup.NotFound) {
                        ownedByA.add(candidate);
                    }
                }
                return ownedByA.size() == 2;
            });
            String id = ownedByA.get(0);

            // When that job runs
            events.write(id, JobState.STARTED, 1, "worker-a", null);
            events.write(id, JobState.SUCCEEDED, 1, "worker-a", null);

            // Then asking replica B answers with A's status, transparently
            JsonNode status = awaitState(http, uriB, id, "SUCCEEDED");
            assertThat(status.get("attempts").asInt()).isEqualTo(1);
            HttpResponse<String> viaB = get(http, uriB, "/v1/jobs/" + id);
            assertThat(viaB.statusCode()).isEqualTo(200);
            assertThat(viaB.headers().firstValue("X-Jobstream-Served-By")).contains(a.advertisedAddress());
            assertThat(get(http, uriB, "/v1/jobs/" + id + "/events").statusCode())
                    .isEqualTo(200);
            // and an id A owns but never saw is A's 404, relayed
            HttpResponse<String> unknown = get(http, uriB, "/v1/jobs/" + ownedByA.get(1));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("X-Jobstream-Served-By")).contains(a.advertisedAddress());

            // When replica B stops, then its readiness is down and it answers 503
            b.close();
            assertThat(b.readinessCheck().check()).isInstanceOf(io.jobstream.runtime.CheckResult.Down.class);
            assertThat(get(http, uriB, "/ready").statusCode()).isEqualTo(503);
            assertThat(get(http, uriB, "/v1/jobs/" + id).statusCode()).isEqualTo(503);
        }
    }

    private IngestApi startApi(KafkaCluster kafka, String queue, String applicationId) {
        JobStatusConfig status = JobStatusConfig.builder()
                .queues(List.of(queue))
                .applicationId(applicationId)
                .advertisedHost("127.0.0.1")
                .stateDir(stateDir.resolve(applicationId))
                .build();
        return IngestApi.start(
                apiConfig(),
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(5)).build(),
                Kafka.settings(kafka, Map.of()),
                runtime(),
                http(),
                status);
    }

    private JobStatusProjection replica(
            String queue,
            String applicationId,
            String name,
            IngestApiConfig apiConfig,
            KafkaSettings settings,
            AdminServer server) {
        JobStatusConfig status = JobStatusConfig.builder()
                .queues(List.of(queue))
                .applicationId(applicationId)
                .advertisedHost("127.0.0.1")
                .stateDir(stateDir.resolve(name))
                .build();
        return JobStatusProjection.start(status, SerdeConfig.singleObject(), settings, server);
    }

    private static IngestApiConfig apiConfig() {
        return IngestApiConfig.defaults();
    }

    private static HttpConfig http() {
        return HttpConfig.defaults(List.of(AccessToken.of("it", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("*"))));
    }

    private static RuntimeConfig runtime() {
        return new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    private static AdminServer server() {
        return AdminServer.builder()
                .config(runtime())
                .http(http())
                .bindJvmMetrics(false)
                .start();
    }

    private static void awaitReady(HttpClient http, URI base) {
        Awaitility.await("ready " + base)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get(http, base, "/ready").statusCode() == 200);
    }

    private static String publish(HttpClient http, URI base, String queue, String type) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/queues/" + queue + "/jobs"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("id").asText();
    }

    private static JsonNode awaitState(HttpClient http, URI base, String id, String state) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Awaitility.await(id + " " + state)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    HttpResponse<String> response = get(http, base, "/v1/jobs/" + id);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    JsonNode body = JSON.readTree(response.body());
                    assertThat(body.get("state").asText()).isEqualTo(state);
                    last.set(body);
                });
        return last.get();
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + TOKEN)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> states(JsonNode status) {
        return java.util.stream.StreamSupport.stream(status.get("events").spliterator(), false)
                .map(e -> e.get("state").asText())
                .toList();
    }
}
