package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's API configuration and requests, run as written against {@link IngestApi#start(Config)}. */
@JobstreamTest
class ReadmeApiExampleIT {
    private static final String TOKEN = "ci-token-0123456789";

    @Test
    void theReadmeConfigStartsTheApiAndItsExamplesAreAccepted(KafkaCluster kafka) throws Exception {
        // Given the README's jobstream.yaml, with the secrets its ${...} references name
        String yaml = readmeBlock("A minimal `jobstream.yaml`:", "```yaml");
        Config config = ConfigLoader.forDefinition(IngestApi.DEFINITION)
                .withYaml(yaml)
                .withEnvironment(Map.of(
                        "CI_API_TOKEN", TOKEN,
                        "GITHUB_WEBHOOK_SECRET", "It's a Secret to Everybody",
                        "STRIPE_WEBHOOK_SECRET", "whsec_0123456789",
                        "SHOP_SECRET", "shop-secret"))
                .withOverrides(Map.of(
                        "jobstream.kafka.bootstrap-servers",
                        kafka.bootstrapServers(),
                        "jobstream.runtime.admin.host",
                        "127.0.0.1",
                        "jobstream.runtime.admin.port",
                        0))
                .load();
        QueueTopics.using(kafka.admin()).create("emails", 3, 1);
        QueueTopics.using(kafka.admin()).create("repo-events", 1, 1);

        try (IngestApi api = IngestApi.start(config);
                HttpClient http = HttpClient.newHttpClient()) {
            // When the README's delayed-job request and GitHub example are sent
            HttpResponse<String> job = http.send(
                    HttpRequest.newBuilder(URI.create(api.uri() + "/v1/queues/emails/jobs"))
                            .header("Authorization", "Bearer " + TOKEN)
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", "signup-42")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            "{\"type\":\"send_email\",\"payload\":{\"to\":\"a@example.com\"},\"delay\":\"30s\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> hook = http.send(
                    HttpRequest.newBuilder(URI.create(api.uri() + "/webhooks/github"))
                            .header("X-GitHub-Event", "ping")
                            .header(
                                    "X-Hub-Signature-256",
                                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
                            .POST(HttpRequest.BodyPublishers.ofString("Hello, World!"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // Then both are accepted: the job waits in the 30s tier, the delivery is on repo-events
            assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
            JsonNode receipt = new ObjectMapper().readTree(job.body());
            assertThat(receipt.get("topic").asText()).isEqualTo("emails.delay.30s");
            assertThat(receipt.get("delayedTier").asText()).isEqualTo("30s");
            assertThat(hook.statusCode()).as(hook.body()).isEqualTo(202);
            assertThat(new ObjectMapper().readTree(hook.body()).get("queue").asText())
                    .isEqualTo("repo-events");
        }
    }

    /** The fenced block that follows {@code marker} in the module README. */
    private static String readmeBlock(String marker, String fence) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf(marker);
        assertThat(at).as("README has %s", marker).isNotNegative();
        int start = readme.indexOf(fence, at) + fence.length();
        int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }
}
