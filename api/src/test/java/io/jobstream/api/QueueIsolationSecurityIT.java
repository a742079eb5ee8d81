package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security suite, issue 17 §3: queues are isolated from each other and from internal topics. Each test sends the
 * hostile request an attacker with one token would send, against a real broker, and asserts the answer.
 */
@JobstreamTest
class QueueIsolationSecurityIT {
    private static final String STAR = "star-token-0123456789";
    private static final String A = "queue-a-token-0123456789";
    private static final String A2 = "queue-a-second-token-0123456789";
    private static final String B = "queue-b-token-0123456789";
    private static final String C = "queue-c-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    Path stateDir;

    @Test
    void aStarTokenCannotPublishIntoDerivedInternalOrForeignTopics(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue made by `topics create`, another application's plain topic and a Streams changelog topic
        String queue = names.unique("iso-q");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        String foreign = names.unique("orders");
        kafka.createTopic(foreign, 1, 1);
        String changelog = names.unique("jobstream-status") + "-job-status-changelog";
        kafka.createTopic(changelog, 1, 1);
        List<String> targets = List.of(
                Topics.dlq(queue),
                Topics.failed(queue),
                Topics.delay(queue, "5s"),
                Topics.events(queue),
                Topics.dlqReplayed(queue),
                "__consumer_offsets",
                changelog,
                foreign);
        try (IngestApi api = start(kafka, null, Set.of(queue), queue);
                HttpClient http = HttpClient.newHttpClient()) {
            for (String target : targets) {
                // When a token for every queue posts a forged job, singly and as a batch, to a topic that is no queue
                HttpResponse<String> single =
                        send(http, post(api, STAR, "/v1/queues/" + target + "/jobs", "{\"type\":\"forged\"}"));
                HttpResponse<String> batch = send(
                        http, post(api, STAR, "/v1/queues/" + target + "/jobs:batch", "{\"jobs\":[{\"type\":\"x\"}]}"));

                // Then both are refused with 404 NOT_A_QUEUE, naming no other topic
                assertThat(single.statusCode())
                        .as(target + ": " + single.body())
                        .isEqualTo(404);
                assertThat(JSON.readTree(single.body()).get("error").asText()).isEqualTo("NOT_A_QUEUE");
                assertThat(batch.statusCode()).as(target + ": " + batch.body()).isEqualTo(404);
                assertThat(JSON.readTree(batch.body()).get("error").asText()).isEqualTo("NOT_A_QUEUE");
            }
            // And nothing was written to any of them, while the queue itself still takes jobs
            for (String target : targets) {
                if (!target.startsWith("__")) {
                    assertThat(Kafka.count(kafka.admin(), target)).as(target).isZero();
                }
            }
            assertThat(send(http, post(api, STAR, "/v1/queues/" + queue + "/jobs", "{\"type\":\"ok\"}"))
                            .statusCode())
                    .isEqualTo(202);
        }
    }

    @Test
    void theSameJobIdInTwoQueuesKeepsTwoStatusesEachReadOnlyThroughItsOwnQueue(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given queues A and B with the job-status projection, and tokens for A, for B and for an unrelated queue C
        String queueA = names.unique("iso-a");
        String queueB = names.unique("iso-b");
        QueueTopics.using(kafka.admin()).create(queueA, 3, 1);
        QueueTopics.using(kafka.admin()).create(queueB, 3, 1);
        JobStatusConfig status = JobStatusConfig.builder()
                .queues(List.of(queueA, queueB))
                .applicationId(names.unique("jobstream-status"))
                .advertisedHost("127.0.0.1")
                .stateDir(stateDir.resolve("status"))
                .build();
        try (IngestApi api = start(kafka, status, Set.of(queueA), queueB);
                HttpClient http = HttpClient.newHttpClient();
                StatusEvents eventsOfA = new StatusEvents(kafka, queueA, "charge")) {
            Awaitility.await("ready")
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> get(http, api, A, "/ready").statusCode() == 200);

            // When A publishes job order-7 and it runs to success, and B publishes its own job with the same id
            assertThat(send(http, post(api, A, "/v1/queues/" + queueA + "/jobs", job("order-7")))
                            .statusCode())
                    .isEqualTo(202);
            eventsOfA.write("order-7", JobState.STARTED, 1, "worker-a", null);
            eventsOfA.write("order-7", JobState.SUCCEEDED, 1, "worker-a", null);
            HttpResponse<String> published = send(http, post(api, B, "/v1/queues/" + queueB + "/jobs", job("order-7")));
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);

            // Then A sees its job succeeded, with only its own events
            JsonNode ofA = awaitStatus(http, api, A, "order-7", "SUCCEEDED");
            assertThat(ofA.get("queue").asText()).isEqualTo(queueA);
            assertThat(ofA.get("eventCount").asInt()).isEqualTo(3);
            // And B sees its own job, merely enqueued (not SUCCEEDED: nothing ran it), never a 403
            JsonNode ofB = awaitStatus(http, api, B, "order-7", "ENQUEUED");
            assertThat(ofB.get("queue").asText()).isEqualTo(queueB);
            assertThat(ofB.get("eventCount").asInt()).isEqualTo(1);
            // And a token of another queue gets 404 for that id, naming neither queue
            HttpResponse<String> other = get(http, api, C, "/v1/jobs/order-7");
            assertThat(other.statusCode()).as(other.body()).isEqualTo(404);
            assertThat(other.body()).doesNotContain(queueA).doesNotContain(queueB);
            // And a token for both queues names the queue it means
            HttpResponse<String> both = get(http, api, STAR, "/v1/jobs/order-7?queue=" + queueB);
            assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
            assertThat(JSON.readTree(both.body()).get("state").asText()).isEqualTo("ENQUEUED");
        }
    }

    @Test
    void aReusedIdempotencyKeyWithAnotherBodyIs409AndKeysAreIndependentAcrossTokensAndQueues(
            KafkaCluster kafka, TestTopics names) throws Exception {
        // Given queues A and A2, a token for both and a second token for A
        String queueA = names.unique("iso-idem-a");
        String queueA2 = names.unique("iso-idem-a2");
        QueueTopics.using(kafka.admin()).create(queueA, 1, 1);
        QueueTopics.using(kafka.admin()).create(queueA2, 1, 1);
        try (IngestApi api = start(kafka, null, new LinkedHashSet<>(List.of(queueA, queueA2)), queueA);
                HttpClient http = HttpClient.newHttpClient()) {
            String path = "/v1/queues/" + queueA + "/jobs";

            // When one key is sent with a body, the same body again, and then another body
            HttpResponse<String> first = send(http, keyed(post(api, A, path, "{\"type\":\"charge\",\"payload\":1}")));
            HttpResponse<String> again = send(http, keyed(post(api, A, path, "{\"type\":\"charge\",\"payload\":1}")));
            HttpResponse<String> changed = send(http, keyed(post(api, A, path, "{\"type\":\"charge\",\"payload\":2}")));

            // Then the repeat gets the original receipt and the changed body a 409
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(id(again)).isEqualTo(id(first));
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(409);
            assertThat(JSON.readTree(changed.body()).get("error").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");

            // And the same key from another token, or for another queue, is a job of its own
            HttpResponse<String> otherToken =
                    send(http, keyed(post(api, A2, path, "{\"type\":\"charge\",\"payload\":2}")));
            HttpResponse<String> otherQueue = send(
                    http,
                    keyed(post(api, A, "/v1/queues/" + queueA2 + "/jobs", "{\"type\":\"charge\",\"payload\":2}")));
            assertThat(otherToken.statusCode()).as(otherToken.body()).isEqualTo(202);
            assertThat(otherQueue.statusCode()).as(otherQueue.body()).isEqualTo(202);
            assertThat(List.of(id(first), id(otherToken), id(otherQueue))).doesNotHaveDuplicates();
            assertThat(Kafka.count(kafka.admin(), queueA)).isEqualTo(2);
            assertThat(Kafka.count(kafka.admin(), queueA2)).isEqualTo(1);
        }
    }

    @Test
    void aClientSuppliedJobIdOutsideTheCharsetOrLongerThan128IsRefused(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue
        String queue = names.unique("iso-id");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(kafka, null, Set.of(queue), queue);
                HttpClient http = HttpClient.newHttpClient()) {
            String path = "/v1/queues/" + queue + "/jobs";
            List<HttpResponse<String>> refused = new ArrayList<>();
            // When ids with a line break, a brace, a slash or 129 characters are sent
            for (String id : List.of("a\\r\\nforged=1", "x}{y", "../other", "a".repeat(129))) {
                refused.add(send(http, post(api, A, path, "{\"type\":\"t\",\"id\":\"" + id + "\"}")));
            }
            HttpResponse<String> longest = send(http, post(api, A, path, job("b".repeat(128))));

            // Then each is a 400 naming the id rule, and 128 characters are accepted
            for (HttpResponse<String> response : refused) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("INVALID_JOB_ID");
            }
            assertThat(longest.statusCode()).as(longest.body()).isEqualTo(202);
            assertThat(Kafka.count(kafka.admin(), queue)).isEqualTo(1);
        }
    }

    /** The API with tokens: star for every queue, a for {@code aQueues}, a2 for the first of them, b for {@code bQueue}. */
    private static IngestApi start(KafkaCluster kafka, JobStatusConfig status, Set<String> aQueues, String bQueue) {
        IngestApiConfig config = IngestApiConfig.defaults();
        HttpConfig http = HttpConfig.defaults(List.of(
                AccessToken.of("star", STAR, HttpConfig.DEFAULT_SCOPES, Set.of("*")),
                AccessToken.of("a", A, HttpConfig.DEFAULT_SCOPES, aQueues),
                AccessToken.of(
                        "a2",
                        A2,
                        HttpConfig.DEFAULT_SCOPES,
                        Set.of(aQueues.iterator().next())),
                AccessToken.of("b", B, HttpConfig.DEFAULT_SCOPES, Set.of(bQueue)),
                AccessToken.of("c", C, HttpConfig.DEFAULT_SCOPES, Set.of("unrelated"))));
        RuntimeConfig runtime = new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));
        PublisherConfig publisher =
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(5)).build();
        return status == null
                ? IngestApi.start(config, publisher, Kafka.settings(kafka, Map.of()), runtime, http)
                : IngestApi.start(config, publisher, Kafka.settings(kafka, Map.of()), runtime, http, status);
    }

    private static String job(String id) {
        return "{\"type\":\"charge\",\"id\":\"" + id + "\"}";
    }

    private static HttpRequest.Builder post(IngestApi api, String token, String path, String body) {
        return HttpRequest.newBuilder(URI.create(api.uri() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpRequest.Builder keyed(HttpRequest.Builder request) {
        return request.header("Idempotency-Key", "payment-42");
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient http, IngestApi api, String token, String path)
            throws Exception {
        return send(
                http,
                HttpRequest.newBuilder(URI.create(api.uri() + path))
                        .header("Authorization", "Bearer " + token)
                        .GET());
    }

    private static String id(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("id").asText();
    }

    private static JsonNode awaitStatus(HttpClient http, IngestApi api, String token, String id, String state) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await(id + " " + state)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    HttpResponse<String> response = get(http, api, token, "/v1/jobs/" + id);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    JsonNode body = JSON.readTree(response.body());
                    assertThat(body.get("state").asText()).isEqualTo(state);
                    last[0] = body;
                });
        return last[0];
    }
}
