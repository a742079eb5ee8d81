package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hostile requests an attacker with a curl sends to a running API (started from config as {@code jobstream api}
 * does, tokens from env vars): each gets its 4xx and publishes nothing.
 */
@JobstreamTest
class IngestApiSecurityIT {
    private static final String PUBLISHER = "publisher-token-0123456789";
    private static final String READER = "reader-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyHostileRequestIsRefusedAndOnlyTheGrantedPublishLands(KafkaCluster kafka, TestTopics names)
            throws Exception {
        // Given two queues and the API with a publish token for secapi-* and a status-only token
        String queue = names.unique("secapi");
        String other = names.unique("elsewhere");
        QueueTopics.using(kafka.admin()).create(queue, 1, 1);
        QueueTopics.using(kafka.admin()).create(other, 1, 1);
        Config config = ConfigLoader.forDefinition(IngestApi.DEFINITION)
                .withEnvironment(Map.of(
                        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "JOBSTREAM_RUNTIME_ADMIN_HOST", "127.0.0.1",
                        "JOBSTREAM_RUNTIME_ADMIN_PORT", "0",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_PUB_TOKEN", PUBLISHER,
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_PUB_SCOPES", "publish",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_PUB_QUEUES", "secapi-*",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_READER_TOKEN", READER,
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_READER_SCOPES", "status:read",
                        "JOBSTREAM_RUNTIME_HTTP_TOKENS_READER_QUEUES", "*",
                        "JOBSTREAM_RUNTIME_HTTP_AUTH_FAILURE_LIMIT", "4"))
                .load();
        try (IngestApi api = IngestApi.start(config);
                HttpClient http = HttpClient.newHttpClient()) {
            String job = "{\"type\":\"send_email\"}";
            // When: no token, a status-only token, a token for another queue, a browser's text/plain post,
            // huge headers
            HttpResponse<String> noToken = send(http, publish(api, queue, null, "application/json", job));
            HttpResponse<String> readOnly = send(http, publish(api, queue, READER, "application/json", job));
            HttpResponse<String> otherQueue = send(http, publish(api, other, PUBLISHER, "application/json", job));
            HttpResponse<String> csrf = send(http, publish(api, queue, PUBLISHER, "text/plain", job));
            HttpResponse<String> hugeHeaders = send(
                    http,
                    publish(api, queue, PUBLISHER, "application/json", job).header("X-Padding", "p".repeat(64 * 1024)));
            HttpResponse<String> granted = send(http, publish(api, queue, PUBLISHER, "application/json", job));

            // Then each is refused with its status and the one problem body
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(code(noToken)).isEqualTo("UNAUTHORIZED");
            assertThat(readOnly.statusCode()).isEqualTo(403);
            assertThat(otherQueue.statusCode()).isEqualTo(403);
            assertThat(code(otherQueue)).isEqualTo("FORBIDDEN");
            assertThat(csrf.statusCode()).isEqualTo(415);
            assertThat(hugeHeaders.statusCode()).isEqualTo(431);
            assertThat(granted.statusCode()).as(granted.body()).isEqualTo(202);
            // And the probes and metrics on the same port stay open
            assertThat(send(http, HttpRequest.newBuilder(URI.create(api.uri() + "/metrics")))
                            .statusCode())
                    .isEqualTo(200);

            // When one address guesses tokens past the limit
            for (int i = 0; i < 3; i++) {
                assertThat(send(http, publish(api, queue, "guess-" + i + "-0123456789ab", "application/json", job))
                                .statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> blocked = send(http, publish(api, queue, PUBLISHER, "application/json", job));

            // Then even its valid token is refused 429 with Retry-After
            assertThat(blocked.statusCode()).isEqualTo(429);
            assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
            assertThat(code(blocked)).isEqualTo("TOO_MANY_AUTH_FAILURES");
        }
        // And only the granted job reached Kafka
        assertThat(Kafka.readAll(kafka.bootstrapServers(), queue, 1)).hasSize(1);
    }

    private static HttpRequest.Builder publish(
            IngestApi api, String queue, String token, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.uri() + "/v1/queues/" + queue + "/jobs"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error").asText();
    }
}
