package io.jobstream.dlq.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.ItKafka;
import io.jobstream.dlq.TestJobs;
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
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The hostile requests an attacker on the dlq-service's admin port would send, against the running service's routes
 * on its admin server: no token, a read-only token replaying, a browser's text/plain POST (CSRF), an unbounded
 * {@code limit}, a token for another queue, and a brute force of tokens.
 */
@JobstreamTest
class DlqRoutesSecurityIT {
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final String READER = "reader-secret-0123456789";
    private static final String OPERATOR = "operator-secret-0123456789";
    private static final String OTHER = "other-queue-secret-0123456789";
    private static final int FAILURE_LIMIT = 5;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyDeadLetterRouteRefusesARequestWithoutAValidToken(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When listing, showing and replaying without a token
            HttpResponse<String> list =
                    http.send(get(dlq, "/v1/queues/" + queue + "/dlq").build(), text());
            HttpResponse<String> show =
                    http.send(get(dlq, "/v1/queues/" + queue + "/dlq/0/0").build(), text());
            HttpResponse<String> replay = http.send(replay(dlq, queue, "{}").build(), text());
            // Then each is 401 with a challenge and the one problem body
            for (HttpResponse<String> response : List.of(list, show, replay)) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate"))
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(json.readTree(response.body()).path("error").asText())
                        .isEqualTo("UNAUTHORIZED");
            }
            // And the metrics on the same port stay open to the scraper
            assertThat(http.send(get(dlq, "/metrics").build(), text()).statusCode())
                    .isEqualTo(200);
            assertThat(notReplayed(http, dlq, queue)).isTrue();
        }
    }

    @Test
    void aReadOnlyTokenListsButMayNotReplay(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When the dlq:read token lists, then replays
            HttpResponse<String> list = http.send(
                    get(dlq, "/v1/queues/" + queue + "/dlq")
                            .header("Authorization", "Bearer " + READER)
                            .build(),
                    text());
            HttpResponse<String> replay = http.send(
                    replay(dlq, queue, "{}")
                            .header("Authorization", "Bearer " + READER)
                            .build(),
                    text());
            // Then it reads, and the replay is 403 and replays nothing
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            assertThat(json.readTree(list.body())).hasSize(1);
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(403);
            assertThat(json.readTree(replay.body()).path("error").asText()).isEqualTo("FORBIDDEN");
            assertThat(notReplayed(http, dlq, queue)).isTrue();
        }
    }

    @Test
    void aTokenForAnotherQueueMayNotReadThisQueuesDeadLetters(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> list = http.send(
                    get(dlq, "/v1/queues/" + queue + "/dlq")
                            .header("Authorization", "Bearer " + OTHER)
                            .build(),
                    text());
            assertThat(list.statusCode()).as(list.body()).isEqualTo(403);
            assertThat(list.body()).doesNotContain("jobId");
        }
    }

    @Test
    void aTextPlainReplayFromABrowserIsRefusedWith415(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When a replay arrives as text/plain (what a cross-site form or fetch may send without a preflight)
            HttpResponse<String> replay = http.send(
                    HttpRequest.newBuilder(dlq.uri("/v1/queues/" + queue + "/dlq:replay"))
                            .header("Authorization", "Bearer " + OPERATOR)
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    text());
            // Then it is 415 and nothing is replayed
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(415);
            assertThat(json.readTree(replay.body()).path("error").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
            assertThat(notReplayed(http, dlq, queue)).isTrue();
            // And the same replay as JSON goes through
            HttpResponse<String> ok = http.send(
                    replay(dlq, queue, "{\"dryRun\":true}")
                            .header("Authorization", "Bearer " + OPERATOR)
                            .build(),
                    text());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        }
    }

    @Test
    void anUnboundedLimitOrBodyIsRefused(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> hugeLimit = http.send(
                    get(dlq, "/v1/queues/" + queue + "/dlq?limit=2000000000")
                            .header("Authorization", "Bearer " + OPERATOR)
                            .build(),
                    text());
            HttpResponse<String> hugeReplayLimit = http.send(
                    replay(dlq, queue, "{\"limit\":2000000000}")
                            .header("Authorization", "Bearer " + OPERATOR)
                            .build(),
                    text());
            HttpResponse<String> hugeBody = http.send(
                    replay(dlq, queue, "{\"type\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                            .header("Authorization", "Bearer " + OPERATOR)
                            .build(),
                    text());
            assertThat(hugeLimit.statusCode()).as(hugeLimit.body()).isEqualTo(400);
            assertThat(hugeLimit.body()).contains("limit");
            assertThat(hugeReplayLimit.statusCode()).as(hugeReplayLimit.body()).isEqualTo(400);
            assertThat(hugeBody.statusCode()).isEqualTo(413);
            assertThat(json.readTree(hugeBody.body()).path("error").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
        }
    }

    @Test
    void guessingTokensIsCutOffWith429(KafkaCluster kafka, TestTopics topics) throws Exception {
        String queue = queueWithOneDeadLetter(kafka, topics);
        try (Running dlq = start(kafka, queue);
                HttpClient http = HttpClient.newHttpClient()) {
            // When one address sends wrong tokens up to the limit
            for (int i = 0; i < FAILURE_LIMIT; i++) {
                HttpResponse<String> wrong = http.send(
                        get(dlq, "/v1/queues/" + queue + "/dlq")
                                .header("Authorization", "Bearer guess-" + i + "-0123456789abcdef")
                                .build(),
                        text());
                assertThat(wrong.statusCode()).isEqualTo(401);
            }
            // Then its next attempt, even with a valid token, is 429 with Retry-After
            HttpResponse<String> blocked = http.send(
                    get(dlq, "/v1/queues/" + queue + "/dlq")
                            .header("Authorization", "Bearer " + OPERATOR)
                            .build(),
                    text());
            assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(429);
            assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
            assertThat(json.readTree(blocked.body()).path("error").asText()).isEqualTo("TOO_MANY_AUTH_FAILURES");
            assertThat(blocked.body()).doesNotContain("jobId");
        }
    }

    private boolean notReplayed(HttpClient http, Running dlq, String queue) throws Exception {
        HttpResponse<String> list = http.send(
                get(dlq, "/v1/queues/" + queue + "/dlq")
                        .header("Authorization", "Bearer " + READER)
                        .build(),
                text());
        JsonNode entries = json.readTree(list.body());
        return list.statusCode() == 200
                && entries.size() == 1
                && !entries.get(0).path("replayed").asBoolean();
    }

    private static HttpResponse.BodyHandler<String> text() {
        return HttpResponse.BodyHandlers.ofString();
    }

    private static HttpRequest.Builder get(Running dlq, String path) {
        return HttpRequest.newBuilder(dlq.uri(path)).GET();
    }

    private static HttpRequest.Builder replay(Running dlq, String queue, String body) {
        return HttpRequest.newBuilder(dlq.uri("/v1/queues/" + queue + "/dlq:replay"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private String queueWithOneDeadLetter(KafkaCluster kafka, TestTopics topics) {
        String queue = topics.unique("secure");
        ItKafka.createQueueTopics(kafka, queue, DelayTiers.of(Duration.ofSeconds(1)));
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1, java.util.Map.of("cleanup.policy", "compact"));
        Job job = TestJobs.job("send_email", 4);
        Instant deadAt = Instant.parse("2026-11-22T06:00:00Z");
        DeadLetter letter = DeadLetter.newBuilder()
                .setLastFailure(TestJobs.failure(job, queue, deadAt, FailureReason.HANDLER_ERROR, true))
                .setHistory(List.of(FailureRecord.newBuilder()
                        .setReason(FailureReason.HANDLER_ERROR)
                        .setMessage("boom")
                        .setAt(deadAt)
                        .build()))
                .setDeadAt(deadAt)
                .build();
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
        JobHeaders.putText(headers, JobHeaders.ATTEMPT, Integer.toString(job.getAttempt()));
        headers.add(JobHeaders.DLT_ORIGINAL_TOPIC, queue.getBytes(StandardCharsets.UTF_8));
        ItKafka.sendAll(
                kafka,
                List.of(new ProducerRecord<>(
                        Topics.dlq(queue),
                        0,
                        null,
                        "key".getBytes(StandardCharsets.UTF_8),
                        JobSerde.forDeadLetter(SERDES).encode(Topics.dlq(queue), letter),
                        headers)));
        return queue;
    }

    /** The dlq-service's routes on an admin server, as {@code jobstream dlq-service} mounts them. */
    private record Running(DlqService service, AdminServer server) implements AutoCloseable {
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.port() + path);
        }

        @Override
        public void close() {
            server.close();
            service.close(Duration.ofSeconds(5));
        }
    }

    private static Running start(KafkaCluster kafka, String queue) {
        DlqService service = DlqService.builder(
                        DlqServiceConfig.defaults(List.of(queue)),
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .serdes(SERDES)
                .build();
        HttpConfig http = HttpConfig.defaults(List.of(
                        AccessToken.of("reader", READER, Set.of(Scope.DLQ_READ), Set.of(queue)),
                        AccessToken.of(
                                "operator", OPERATOR, Set.of(Scope.DLQ_READ, Scope.DLQ_REPLAY), Set.of("secure-*")),
                        AccessToken.of("other", OTHER, Set.of(Scope.ADMIN), Set.of("billing", "billing-*"))))
                .toBuilder()
                .authFailures(FAILURE_LIMIT, Duration.ofMinutes(10))
                .build();
        AdminServer server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .http(http)
                .bindJvmMetrics(false)
                .start();
        service.adminRoutes().forEach(server::route);
        return new Running(service, server);
    }
}
