package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /ready} follows a real broker: up while it runs, 503 naming the check while it is stopped. */
class AdminServerKafkaReadyIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readinessFollowsTheBroker() throws Exception {
        try (KafkaCluster kafka =
                KafkaCluster.builder().name("ready-it").brokers(1).build().start()) {
            KafkaSettings settings = KafkaSettings.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .build();
            try (AdminServer admin = AdminServer.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .bindJvmMetrics(false)
                    .readinessCheck(ReadinessChecks.kafka(settings.adminProperties(), Duration.ofSeconds(2)))
                    .start()) {
                // Given a running broker, the service is ready
                assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);

                // When the broker stops
                kafka.stop(1);

                // Then /ready answers 503 and names the failing check
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> response = get(admin, "/ready");
                    assertThat(response.statusCode()).isEqualTo(503);
                    assertThat(response.body()).contains("kafka");
                });
                // while liveness is unaffected
                assertThat(get(admin, "/health").statusCode()).isEqualTo(200);

                // And when it is back, so is readiness
                kafka.restart(1);
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() ->
                                assertThat(get(admin, "/ready").statusCode()).isEqualTo(200));
            }
        }
    }

    private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
