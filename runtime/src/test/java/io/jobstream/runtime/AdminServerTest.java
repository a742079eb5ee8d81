package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.runtime.http.Endpoint;
import io.jobstream.runtime.http.HttpResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CountDownLatch neverReleased = new CountDownLatch(1);
    private AdminServer server;

    @AfterEach
    void stop() {
        neverReleased.countDown();
        if (server != null) {
            server.close();
        }
        http.close();
    }

    private AdminServer.Builder onRandomPort() {
        return AdminServer.builder().host("127.0.0.1").port(0);
    }

    private java.net.http.HttpResponse<String> get(String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void healthIsUpOnARandomPort() throws Exception {
        // Given a server on port 0
        server = onRandomPort().start();

        // When /health is asked
        java.net.http.HttpResponse<String> response = get("/health");

        // Then it answers 200 UP as JSON on the chosen port
        assertThat(server.port()).isPositive();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void healthIs503NamingTheLivenessCheckThatIsDown() throws Exception {
        // Given a server whose component is alive at first
        AtomicBoolean alive = new AtomicBoolean(true);
        server = onRandomPort()
                .start()
                .livenessCheck(ReadinessCheck.of(
                        "worker", () -> alive.get() ? CheckResult.up() : CheckResult.down("poll loop stopped")));
        assertThat(get("/health").statusCode()).isEqualTo(200);

        // When the component stops for good
        alive.set(false);

        // Then /health answers 503 naming it and why
        java.net.http.HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        assertThat(body.get("checks").get(0).get("name").asText()).isEqualTo("worker");
        assertThat(body.get("checks").get(0).get("reason").asText()).isEqualTo("poll loop stopped");
    }

    @Test
    void readyIs200WhenEveryCheckIsUp() throws Exception {
        // Given two checks that are up
        server = onRandomPort()
                .readinessCheck(ReadinessCheck.of("kafka", CheckResult::up))
                .readinessCheck(ReadinessCheck.of("redis", CheckResult::up))
                .start();

        // When /ready is asked
        java.net.http.HttpResponse<String> response = get("/ready");

        // Then it is 200 and lists both as UP
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks")).hasSize(2);
        assertThat(body.get("checks").get(0).get("name").asText()).isEqualTo("kafka");
        assertThat(body.get("checks").get(1).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void readyIs503ListingEachDownCheckWithItsReason() throws Exception {
        // Given one check up, one down, one throwing and one that never finishes
        server = onRandomPort()
                .checkTimeout(Duration.ofMillis(200))
                .readinessCheck(ReadinessCheck.of("kafka", CheckResult::up))
                .readinessCheck(ReadinessCheck.of("redis", () -> CheckResult.down("connection refused")))
                .readinessCheck(ReadinessCheck.of("registry", () -> {
                    throw new IllegalStateException("registry exploded");
                }))
                .readinessCheck(ReadinessCheck.of("stuck", () -> {
                    neverReleased.await();
                    return CheckResult.up();
                }))
                .start();

        // When /ready is asked
        java.net.http.HttpResponse<String> response = get("/ready");

        // Then it is 503 and every check carries its own status and reason
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        JsonNode checks = body.get("checks");
        assertThat(checks.get(0).get("status").asText()).isEqualTo("UP");
        assertThat(checks.get(0).has("reason")).isFalse();
        assertThat(checks.get(1).get("reason").asText()).isEqualTo("connection refused");
        assertThat(checks.get(2).get("status").asText()).isEqualTo("DOWN");
        // a check that throws is down without its exception text: /ready needs no token, so it serves no internals
        assertThat(checks.get(2).get("reason").asText()).isEqualTo("the check failed (the error is logged)");
        assertThat(response.body()).doesNotContain("registry exploded").doesNotContain("IllegalStateException");
        assertThat(checks.get(3).get("name").asText()).isEqualTo("stuck");
        assertThat(checks.get(3).get("reason").asText()).contains("no result within 200ms");
    }

    @Test
    void checksAddedAfterStartAreAsked() throws Exception {
        // Given a running server with no checks, then a failing check added
        server = onRandomPort().start();
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        server.readinessCheck(
                ReadinessCheck.of("consumer", Duration.ofSeconds(1), () -> CheckResult.down("not joined")));

        // When /ready is asked, Then it is not ready
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        assertThat(server.checkReadiness()).containsEntry("consumer", CheckResult.down("not joined"));
    }

    @Test
    void metricsRendersRegisteredMetersInPrometheusFormat() throws Exception {
        // Given a shared registry with a counter incremented 3 times
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("jobstream.jobs.completed", "queue", "emails").increment(3);
        server = onRandomPort().registry(registry).start();

        // When /metrics is scraped
        java.net.http.HttpResponse<String> response = get("/metrics");

        // Then it is Prometheus text with the counter and the JVM metrics
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(response.body())
                .contains("# TYPE jobstream_jobs_completed_total counter")
                .contains("jobstream_jobs_completed_total{queue=\"emails\"} 3.0")
                .contains("jvm_memory_used_bytes")
                .contains("process_uptime_seconds")
                .contains("jvm_threads_live_threads");
        registry.close();
    }

    @Test
    void metricsServesOpenMetricsWhenAskedFor() throws Exception {
        // Given a server with its own registry and a counter
        server = onRandomPort().bindJvmMetrics(false).start();
        server.registry().counter("jobstream.jobs.failed").increment();

        // When scraped asking for OpenMetrics
        java.net.http.HttpResponse<String> response =
                get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");

        // Then it is OpenMetrics, ending with # EOF
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
        assertThat(response.body()).contains("jobstream_jobs_failed_total 1.0").endsWith("# EOF\n");
    }

    @Test
    void extraRoutesAreServedAndTheirFailuresBecome500() throws Exception {
        // Given an open route added by a later module and one that throws
        server = onRandomPort()
                .route(Endpoint.get("/boom").open().to(request -> {
                    throw new IllegalStateException("boom at 10.0.0.7:9092");
                }))
                .start();
        server.route(Endpoint.get("/jobs/{id}")
                .open()
                .to(request -> HttpResponse.of(
                        200, "text/plain", ("job " + request.pathParam("id")).getBytes(StandardCharsets.UTF_8))));

        // When they are asked, Then the route answers and the failing one is a generic 500
        java.net.http.HttpResponse<String> jobs = get("/jobs/42");
        assertThat(jobs.statusCode()).isEqualTo(200);
        assertThat(jobs.body()).isEqualTo("job 42");
        java.net.http.HttpResponse<String> boom = get("/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body())
                .contains("INTERNAL_ERROR")
                .doesNotContain("boom")
                .doesNotContain("10.0.0.7");
    }

    @Test
    void builtInRoutesAnswerOnlyTheirPathAndGet() throws Exception {
        server = onRandomPort().start();

        assertThat(get("/healthz").statusCode()).isEqualTo(404);
        assertThat(get("/health/extra").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).isEqualTo(404);
        java.net.http.HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void reservedPathsCannotBeReplaced() {
        server = onRandomPort().start();

        assertThatThrownBy(() -> server.route(Endpoint.get("/metrics").open().to(request -> null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeStopsServingClosesChecksAndIsIdempotent() throws Exception {
        // Given a running server with a check that records being closed
        AtomicBoolean checkClosed = new AtomicBoolean();
        ReadinessCheck check = new ReadinessCheck() {
            @Override
            public String name() {
                return "recorder";
            }

            @Override
            public CheckResult check() {
                return CheckResult.up();
            }

            @Override
            public void close() {
                checkClosed.set(true);
            }
        };
        server = onRandomPort().readinessCheck(check).start();
        int port = server.port();

        // When closed twice
        server.close();
        server.close();

        // Then the check is closed and the port no longer answers
        assertThat(checkClosed).isTrue();
        assertThatThrownBy(() -> http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void portInUseFailsNamingTheAddressAndKey() {
        server = onRandomPort().start();

        assertThatThrownBy(() -> onRandomPort().port(server.port()).start())
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("jobstream.runtime.admin.port");
    }
}
