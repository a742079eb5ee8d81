package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.api.IngestApiConfig.Webhook;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The API against a real broker: what it acknowledges is in the topic. */
@JobstreamTest
class IngestApiIT {
    private static final String TOKEN = "it-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAcceptedJobIsInTheTopicWithTheReceiptsIdAndPosition(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue and the API
        String queue = names.unique("api");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (IngestApi api = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When a job is posted
            HttpResponse<String> response = http.send(
                    post(api, "/v1/queues/" + queue + "/jobs", "{\"type\":\"send_email\",\"payload\":{\"n\":1}}")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then it is accepted, and the record at the receipt's position is that job
            assertThat(response.statusCode()).isEqualTo(202);
            JsonNode receipt = JSON.readTree(response.body());
            ConsumerRecord<String, byte[]> record =
                    Kafka.readAll(kafka.bootstrapServers(), queue, 1).getFirst();
            assertThat(Kafka.decode(record).getId()).isEqualTo(receipt.get("id").asText());
            assertThat(record.partition()).isEqualTo(receipt.get("partition").asInt());
            assertThat(record.offset()).isEqualTo(receipt.get("offset").asLong());
            assertThat(Kafka.decode(record).getType()).isEqualTo("send_email");
        }
    }

    @Test
    void theSameIdempotencyKeyTwiceGivesOneJobIdAndOneRecord(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue and the API
        String queue = names.unique("api-idem");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        try (IngestApi api = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When one request is sent twice with the same Idempotency-Key
            HttpRequest request = post(api, "/v1/queues/" + queue + "/jobs", "{\"type\":\"charge\"}")
                    .header("Idempotency-Key", "payment-42")
                    .build();
            HttpResponse<String> first = http.send(request, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = http.send(request, HttpResponse.BodyHandlers.ofString());

            // Then both carry one job id, and the topic holds one record
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(second.statusCode()).isEqualTo(202);
            String id = JSON.readTree(first.body()).get("id").asText();
            assertThat(JSON.readTree(second.body()).get("id").asText()).isEqualTo(id);
            assertThat(id).isEqualTo(Ulid.fromName(queue + "/it/payment-42")); // scoped by token (issue 17)
            assertThat(Kafka.count(kafka.admin(), queue)).isEqualTo(1);
        }
    }

    @Test
    void aBatchIsAcceptedWithAReceiptPerJobAndEveryJobIsInTheTopic(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API
        String queue = names.unique("api-batch");
        QueueTopics.using(kafka.admin()).create(queue, 3, 1);
        String jobs = IntStream.range(0, 500)
                .mapToObj(i -> "{\"type\":\"bulk\",\"payload\":" + i + "}")
                .collect(Collectors.joining(","));
        try (IngestApi api = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When a batch of 500 jobs is posted
            HttpResponse<String> response = http.send(
                    post(api, "/v1/queues/" + queue + "/jobs:batch", "{\"jobs\":[" + jobs + "]}")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then all are acknowledged, and the topic holds exactly the acknowledged ids
            assertThat(response.statusCode()).isEqualTo(202);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("published").asInt()).isEqualTo(500);
            Set<String> acknowledged = java.util.stream.StreamSupport.stream(
                            body.get("results").spliterator(), false)
                    .map(r -> r.get("id").asText())
                    .collect(Collectors.toSet());
            Set<String> stored = Kafka.readAll(kafka.bootstrapServers(), queue, 500).stream()
                    .map(Kafka::decode)
                    .map(Job::getId)
                    .collect(Collectors.toSet());
            assertThat(stored).isEqualTo(acknowledged).hasSize(500);
        }
    }

    @Test
    void aSignedGitHubDeliveryIsInTheTopicAndTheServerIsReadyWithMetrics(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue with a GitHub webhook
        String queue = names.unique("api-hook");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When GitHub's example delivery arrives
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(api.uri() + "/webhooks/github"))
                            .header(
                                    "X-Hub-Signature-256",
                                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
                            .header("X-GitHub-Event", "ping")
                            .POST(HttpRequest.BodyPublishers.ofString("Hello, World!"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then the job is in the topic with the raw body
            assertThat(response.statusCode()).isEqualTo(202);
            Job job = Kafka.decode(
                    Kafka.readAll(kafka.bootstrapServers(), queue, 1).getFirst());
            assertThat(job.getType()).isEqualTo("github_event");
            assertThat(StandardCharsets.UTF_8.decode(job.getPayload()).toString())
                    .isEqualTo("Hello, World!");

            // And the same port serves readiness (Kafka reachable) and the request metrics
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create(api.uri() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            // (a request is counted once its response is written: possibly just after the client has it)
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> {
                        HttpResponse<String> metrics = http.send(
                                HttpRequest.newBuilder(URI.create(api.uri() + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(metrics.body())
                                .contains(
                                        "jobstream_api_requests_seconds_count{route=\"/webhooks/{name}\",status=\"202\"}");
                    });
        }
    }

    @Test
    void twoReplicasSharingRedisEnqueueACapturedWebhookDeliveryOnce(
            KafkaCluster kafka, TestTopics names, RedisServer redis) throws Exception {
        // Given a queue and two API replicas whose webhook deliveries are remembered in the same Redis
        String queue = names.unique("api-replay");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        String body = "{\"action\":\"opened\",\"number\":7}";
        String signature = "sha256="
                + java.util.HexFormat.of()
                        .formatHex(io.jobstream.api.internal.Signatures.hmac(
                                "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8),
                                body.getBytes(StandardCharsets.UTF_8)));
        try (IngestApi first = start(kafka, queue, redis);
                IngestApi second = start(kafka, queue, redis);
                HttpClient http = HttpClient.newHttpClient()) {
            // When a signed delivery reaches the first replica, and an attacker replays it to the second with a new
            // (unsigned) delivery id
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var target : List.of(java.util.Map.entry(first, "d-1"), java.util.Map.entry(second, "d-forged"))) {
                statuses.add(http.send(
                                HttpRequest.newBuilder(
                                                URI.create(target.getKey().uri() + "/webhooks/github"))
                                        .header("X-Hub-Signature-256", signature)
                                        .header("X-GitHub-Delivery", target.getValue())
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
            }

            // Then the first is enqueued (202), the replay is a duplicate (200), and the topic holds one job
            assertThat(statuses).containsExactly(202, 200);
            assertThat(Kafka.readAll(kafka.bootstrapServers(), queue, 1)).hasSize(1);
            org.awaitility.Awaitility.await()
                    .pollDelay(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            assertThat(Kafka.readAll(kafka.bootstrapServers(), queue, 1)).hasSize(1);
        }
    }

    static IngestApi start(KafkaCluster kafka, String queue, RedisServer redis) {
        IngestApiConfig config = IngestApiConfig.builder()
                .webhooks(List.of(Webhook.github("github", queue, "github_event", "It's a Secret to Everybody")))
                .build();
        RuntimeConfig runtime = new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));
        return IngestApi.start(
                config,
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(5)).build(),
                Kafka.settings(kafka, Map.of()),
                runtime,
                HttpConfig.defaults(List.of(AccessToken.of("it", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of(queue)))),
                JobStatusConfig.defaults(List.of()),
                java.util.Optional.of(io.jobstream.coordination.CoordinationConfig.of(redis.uri())));
    }

    static IngestApi start(KafkaCluster kafka, String queue) {
        return start(kafka, queue, Map.of(), Duration.ofSeconds(30));
    }

    static IngestApi start(KafkaCluster kafka, String queue, Map<String, String> properties, Duration publishTimeout) {
        IngestApiConfig config = IngestApiConfig.builder()
                .webhooks(List.of(Webhook.github("github", queue, "github_event", "It's a Secret to Everybody")))
                .publishTimeout(publishTimeout)
                .build();
        RuntimeConfig runtime = new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));
        return IngestApi.start(
                config,
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(5)).build(),
                Kafka.settings(kafka, properties),
                runtime,
                HttpConfig.defaults(List.of(AccessToken.of("it", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of(queue)))));
    }

    static HttpRequest.Builder post(IngestApi api, String path, String body) {
        return HttpRequest.newBuilder(URI.create(api.uri() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
