package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 §4, the security corpus of hostile input: each hostile request against the API on a real broker, with the
 * answer it must get. Never a 5xx for input the client controls, never a hang, and no body (of any status) carries an
 * internal exception text or a broker address.
 */
@JobstreamTest
class HostileInputSecurityIT {
    private static final String TOKEN = "hostile-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oversizedOrUnprintableFieldsAreRefused400NamingTheField(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API
        String queue = names.unique("hostile-fields");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When each hostile field is posted, then each is a 400 naming the field
            assertRefused(http, api, queue, job().put("type", "t".repeat(1_000_000)), 400, "INVALID_JOB", "type");
            assertRefused(http, api, queue, job().put("type", "send\r\nemail"), 400, "INVALID_JOB", "type");
            assertRefused(http, api, queue, job().put("id", "x".repeat(129)), 400, "INVALID_JOB_ID", "job id");
            assertRefused(
                    http,
                    api,
                    queue,
                    job().put("id", "job-1\r\nlevel=ERROR forged=1"),
                    400,
                    "INVALID_JOB_ID",
                    "job id");
            assertRefused(
                    http, api, queue, job().put("orderingKey", "k".repeat(100_000)), 400, "INVALID_JOB", "orderingKey");
            assertRefused(http, api, queue, job().put("orderingKey", "a\u0000b"), 400, "INVALID_JOB", "orderingKey");
            ObjectNode badName = job();
            badName.putObject("headers").put("x\ny", "v");
            assertRefused(http, api, queue, badName, 400, "INVALID_JOB", "header");
            ObjectNode longName = job();
            longName.putObject("headers").put("h".repeat(10_000), "v");
            assertRefused(http, api, queue, longName, 400, "INVALID_JOB", "header");
            ObjectNode longValue = job();
            longValue.putObject("headers").put("tenant", "v".repeat(100_000));
            assertRefused(http, api, queue, longValue, 400, "INVALID_JOB", "tenant");

            // And nothing reached the topic
            assertThat(Kafka.count(kafka.admin(), queue)).isZero();
        }
    }

    @Test
    void timesBeyondWhatTheWireCanHoldAreRefused400NamingTheField(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API
        String queue = names.unique("hostile-times");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When a far-future notBefore, expiresAt, delay or ttl is posted, then each is a 400 naming the field
            // (a notBefore of year 999999999 was a 503 carrying an ArithmeticException)
            assertRefused(
                    http,
                    api,
                    queue,
                    job().put("notBefore", "+999999999-12-31T23:59:59Z"),
                    400,
                    "BAD_TIMESTAMP",
                    "notBefore");
            assertRefused(
                    http,
                    api,
                    queue,
                    job().put("expiresAt", "+999999999-12-31T23:59:59Z"),
                    400,
                    "BAD_TIMESTAMP",
                    "expiresAt");
            assertRefused(http, api, queue, job().put("delay", "100000000000h"), 400, "BAD_DURATION", "delay");
            assertRefused(http, api, queue, job().put("ttl", "100000000000h"), 400, "BAD_DURATION", "ttl");
            assertThat(Kafka.count(kafka.admin(), queue)).isZero();
        }
    }

    @Test
    void aJobLargerThanItsTopicTakesIsRefused413(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue whose topic takes records of at most 64 KiB
        String queue = names.unique("hostile-topic-limit");
        // (a queue: its .failed sibling exists, as `jobstream topics create` makes it)
        kafka.admin()
                .createTopics(List.of(
                        new NewTopic(queue, 1, (short) 1).configs(Map.of("max.message.bytes", "65536")),
                        new NewTopic(io.jobstream.schemas.Topics.failed(queue), 1, (short) 1)))
                .all()
                .get();
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When a job of 100 KB (under the publisher's payload limit) is posted
            ObjectNode big = job().put("payload", "p".repeat(100_000));

            // Then it is a 413, not Kafka's RecordTooLargeException as a 503
            assertRefused(http, api, queue, big, 413, "RECORD_TOO_LARGE", "");
            assertThat(Kafka.count(kafka.admin(), queue)).isZero();
        }
    }

    @Test
    void aJobWhoseWholeRecordExceedsTheProducerLimitIsRefused413BeforeSending(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and an API that takes bodies of up to 4 MiB
        String queue = names.unique("hostile-record-limit");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(queue, 4L * 1024 * 1024, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When a job with a payload just under the payload limit and 240 KB of headers is posted
            ObjectNode job = job().put("payload", "p".repeat(1024 * 1024 - 100));
            ObjectNode headers = job.putObject("headers");
            for (int i = 0; i < 60; i++) {
                headers.put("h" + i, "v".repeat(4_000));
            }

            // Then the whole record is over max.request.size: a 413 before anything is sent
            assertRefused(http, api, queue, job, 413, "RECORD_TOO_LARGE", "");
            assertThat(Kafka.count(kafka.admin(), queue)).isZero();
        }
    }

    @Test
    void aBatchItemWithAHostileFieldIsRefusedAndTheOthersArePublished(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given a queue and the API
        String queue = names.unique("hostile-batch");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When a batch holds one good job, one with a 1 MB type and one with a far-future notBefore
            String body = "{\"jobs\":[" + job() + "," + job().put("type", "t".repeat(1_000_000)) + ","
                    + job().put("notBefore", "+999999999-12-31T23:59:59Z") + "]}";
            HttpResponse<String> response = http.send(
                    post(api, "/v1/queues/" + queue + "/jobs:batch", body).build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then the good one is published and each bad one is refused naming its field
            assertThat(response.statusCode()).isEqualTo(207);
            assertNoInternals(response.body(), kafka.bootstrapServers());
            JsonNode results = JSON.readTree(response.body()).get("results");
            assertThat(results.get(0).get("status").asText()).isEqualTo("published");
            assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
            assertThat(results.get(1).get("message").asText()).contains("'type'");
            assertThat(results.get(2).get("status").asText()).isEqualTo("rejected");
            assertThat(results.get(2).get("message").asText()).contains("'notBefore'");
        }
    }

    @Test
    void aSignedWebhookWithAHostileDeliveryHeaderIsRefused400(KafkaCluster kafka, TestTopics names) throws Exception {
        // Given a queue with a GitHub webhook
        String queue = names.unique("hostile-hook");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, kafka.bootstrapServers());
                HttpClient http = HttpClient.newHttpClient()) {
            // When GitHub's signed example arrives with a 10 KB delivery id (the header is not signed; past 32 KiB of
            // headers the seam answers 431 before any route runs)
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(api.uri() + "/webhooks/github"))
                            .header(
                                    "X-Hub-Signature-256",
                                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
                            .header("X-GitHub-Event", "ping")
                            .header("X-GitHub-Delivery", "d".repeat(10_000))
                            .POST(HttpRequest.BodyPublishers.ofString("Hello, World!"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then it is a 400 naming the header, and nothing reached the topic
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("message").asText()).contains("webhook-delivery");
            assertThat(response.body().length()).isLessThan(2_000);
            assertNoInternals(response.body(), kafka.bootstrapServers());
            assertThat(Kafka.count(kafka.admin(), queue)).isZero();
        }
    }

    @Test
    void anUnreachableBrokerIsA503WithAGenericMessageAndNoBrokerAddress(TestTopics names) throws Exception {
        // Given an API whose brokers do not answer
        String queue = names.unique("hostile-down");
        String bootstrap = "127.0.0.1:9";
        try (IngestApi api = start(queue, 1024L * 1024L + 64L * 1024L, bootstrap);
                HttpClient http = HttpClient.newHttpClient()) {
            // When a valid job is posted
            HttpResponse<String> response = http.send(
                    post(api, "/v1/queues/" + queue + "/jobs", job().toString()).build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then it is a 503 with a stable code and a message that names no address nor exception
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("BROKER_UNAVAILABLE");
            assertNoInternals(response.body(), bootstrap);
        }
    }

    private static ObjectNode job() {
        ObjectNode job = JSON.createObjectNode();
        job.put("type", "send_email");
        return job;
    }

    private static void assertRefused(
            HttpClient http, IngestApi api, String queue, ObjectNode job, int status, String code, String field)
            throws Exception {
        HttpResponse<String> response = http.send(
                post(api, "/v1/queues/" + queue + "/jobs", job.toString()).build(),
                HttpResponse.BodyHandlers.ofString());
        String shown = response.body().length() > 500 ? response.body().substring(0, 500) + "..." : response.body();
        assertThat(response.statusCode()).as(shown).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).as(shown).isEqualTo(code);
        assertThat(body.get("message").asText()).as(shown).contains(field);
        // A refusal names the field; it does not echo a megabyte of it back
        assertThat(response.body().length()).as(shown).isLessThan(2_000);
        assertNoInternals(response.body(), "");
    }

    private static void assertNoInternals(String body, String bootstrap) {
        assertThat(body)
                .doesNotContain("Exception")
                .doesNotContain("org.apache")
                .doesNotContain("java.")
                .doesNotContain("bootstrap");
        for (String address : bootstrap.split(",")) {
            if (address.contains(":")) {
                assertThat(body).doesNotContain(address);
            }
        }
    }

    private static IngestApi start(String queue, long maxRequestSize, String bootstrap) {
        IngestApiConfig config = IngestApiConfig.builder()
                .webhooks(List.of(
                        IngestApiConfig.Webhook.github("github", queue, "github_event", "It's a Secret to Everybody")))
                .maxRequestSize(maxRequestSize)
                .maxBatchRequestSize(32L * 1024 * 1024)
                .publishTimeout(Duration.ofSeconds(30))
                .build();
        RuntimeConfig runtime = new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10));
        return IngestApi.start(
                config,
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(3)).build(),
                KafkaSettings.builder().bootstrapServers(bootstrap).build(),
                runtime,
                HttpConfig.defaults(
                        List.of(AccessToken.of("hostile", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of(queue)))));
    }

    private static HttpRequest.Builder post(IngestApi api, String path, String body) {
        return HttpRequest.newBuilder(URI.create(api.uri() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
