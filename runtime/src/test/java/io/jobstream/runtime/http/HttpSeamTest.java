package io.jobstream.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.ConfigException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one HTTP seam, answered over a real socket: every hostile request gets its 4xx with the one problem body before
 * a route runs, and a failing route gets a 500 that says nothing about the failure.
 */
class HttpSeamTest {
    private static final String PUBLISHER = "publisher-secret-0123456789";
    private static final String READER = "reader-secret-0123456789";
    private static final String ADMIN = "admin-secret-0123456789";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger routeCalls = new AtomicInteger();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        http.close();
    }

    private AdminServer start(HttpConfig config) {
        Route echo = request -> {
            routeCalls.incrementAndGet();
            return HttpResponse.json(
                    200, java.util.Map.of("caller", request.principal().name(), "bytes", request.body().length));
        };
        server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(config)
                .route(Endpoint.post("/v1/queues/{queue}/things")
                        .scope(Scope.PUBLISH)
                        .maxBodySize(1024)
                        .to(echo))
                .route(Endpoint.get("/v1/queues/{queue}/things")
                        .scope(Scope.DLQ_READ)
                        .to(echo))
                .route(Endpoint.get("/v1/things/{id}").to(echo))
                .route(Endpoint.get("/boom").open().to(request -> {
                    throw new IllegalStateException("broker 10.1.2.3:9092 said no: secret-detail");
                }))
                .start();
        return server;
    }

    private static HttpConfig tokens() {
        return HttpConfig.defaults(List.of(
                        AccessToken.of("pub", PUBLISHER, Set.of(Scope.PUBLISH), Set.of("billing-*")),
                        AccessToken.of("reader", READER, Set.of(Scope.DLQ_READ), Set.of("emails")),
                        AccessToken.of("ops", ADMIN, Set.of(Scope.ADMIN), Set.of("*"))))
                .toBuilder()
                .authFailures(3, Duration.ofMinutes(10))
                .build();
    }

    private java.net.http.HttpRequest.Builder request(String path) {
        return java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    private java.net.http.HttpResponse<String> send(java.net.http.HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private java.net.http.HttpRequest.Builder post(String path, String token, String contentType, String body) {
        java.net.http.HttpRequest.Builder builder =
                request(path).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return builder;
    }

    private String error(java.net.http.HttpResponse<String> response) throws Exception {
        JsonNode body = json.readTree(response.body());
        assertThat(body.path("message").isTextual()).as(response.body()).isTrue();
        return body.path("error").asText();
    }

    @Test
    void aRequestWithoutATokenIs401WithAChallengeAndNeverReachesTheRoute() throws Exception {
        start(tokens());

        var none = send(post("/v1/queues/billing-eu/things", null, "application/json", "{}"));
        var wrong = send(post("/v1/queues/billing-eu/things", "not-a-token-at-all-xx", "application/json", "{}"));
        var basic = send(request("/v1/things/1").header("Authorization", "Basic dXNlcjpwYXNz"));

        for (var response : List.of(none, wrong, basic)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"jobstream\"");
            assertThat(error(response)).isEqualTo("UNAUTHORIZED");
        }
        assertThat(routeCalls).hasValue(0);
    }

    @Test
    void aTokenWithoutTheScopeForTheQueueIs403() throws Exception {
        start(tokens());

        var otherQueue = send(post("/v1/queues/emails/things", PUBLISHER, "application/json", "{}"));
        var otherScope = send(post("/v1/queues/emails/things", READER, "application/json", "{}"));
        var allowed = send(post("/v1/queues/billing-eu/things", PUBLISHER, "application/json", "{}"));
        var adminImpliesEveryScope =
                send(request("/v1/queues/anything/things").header("Authorization", "Bearer " + ADMIN));

        assertThat(otherQueue.statusCode()).isEqualTo(403);
        assertThat(error(otherQueue)).isEqualTo("FORBIDDEN");
        assertThat(otherScope.statusCode()).isEqualTo(403);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(json.readTree(allowed.body()).path("caller").asText()).isEqualTo("pub");
        assertThat(adminImpliesEveryScope.statusCode()).isEqualTo(200);
        assertThat(routeCalls).hasValue(2);
    }

    @Test
    void aStateChangingRequestThatIsNotJsonIs415() throws Exception {
        start(tokens());

        var text = send(post("/v1/queues/billing-eu/things", PUBLISHER, "text/plain", "{}"));
        var form = send(post("/v1/queues/billing-eu/things", PUBLISHER, "application/x-www-form-urlencoded", "a=b"));
        var none = send(post("/v1/queues/billing-eu/things", PUBLISHER, null, "{}"));
        var jsonWithCharset =
                send(post("/v1/queues/billing-eu/things", PUBLISHER, "application/json; charset=utf-8", "{}"));

        for (var response : List.of(text, form, none)) {
            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(error(response)).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        }
        assertThat(jsonWithCharset.statusCode()).isEqualTo(200);
        assertThat(routeCalls).hasValue(1);
    }

    @Test
    void aBodyOverTheLimitIs413WhetherDeclaredOrStreamed() throws Exception {
        start(tokens());
        byte[] large = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);

        var declared = send(post("/v1/queues/billing-eu/things", PUBLISHER, "application/json", new String(large)));
        var chunked = send(request("/v1/queues/billing-eu/things")
                .header("Authorization", "Bearer " + PUBLISHER)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))));
        var atTheLimit = send(post("/v1/queues/billing-eu/things", PUBLISHER, "application/json", "x".repeat(1024)));

        for (var response : List.of(declared, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(error(response)).isEqualTo("PAYLOAD_TOO_LARGE");
        }
        assertThat(atTheLimit.statusCode()).isEqualTo(200);
        assertThat(json.readTree(atTheLimit.body()).path("bytes").asInt()).isEqualTo(1024);
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        start(tokens().toBuilder().maxHeaderSize(8 * 1024).build());

        var large = send(request("/v1/things/1")
                .header("Authorization", "Bearer " + ADMIN)
                .header("X-Padding", "p".repeat(9 * 1024)));
        var small = send(request("/v1/things/1").header("Authorization", "Bearer " + ADMIN));

        assertThat(large.statusCode()).isEqualTo(431);
        assertThat(error(large)).isEqualTo("HEADERS_TOO_LARGE");
        assertThat(small.statusCode()).isEqualTo(200);
    }

    @Test
    void anAddressThatKeepsFailingToAuthenticateIs429EvenWithAGoodToken() throws Exception {
        start(tokens());
        for (int i = 0; i < 3; i++) {
            assertThat(send(request("/v1/things/1").header("Authorization", "Bearer guess-" + i + "-0123456789"))
                            .statusCode())
                    .isEqualTo(401);
        }

        var blocked = send(request("/v1/things/1").header("Authorization", "Bearer " + ADMIN));

        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(error(blocked)).isEqualTo("TOO_MANY_AUTH_FAILURES");
        assertThat(blocked.headers().firstValue("Retry-After").map(Long::parseLong))
                .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1L, 600L));
        // Probes stay open to the same address
        assertThat(send(request("/health")).statusCode()).isEqualTo(200);
        assertThat(routeCalls).hasValue(0);
    }

    @Test
    void aFailingRouteIsAGeneric500ThatCarriesNoExceptionText() throws Exception {
        start(tokens());

        var boom = send(request("/boom"));

        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(error(boom)).isEqualTo("INTERNAL_ERROR");
        assertThat(boom.body())
                .doesNotContain("10.1.2.3")
                .doesNotContain("secret-detail")
                .doesNotContain("IllegalStateException");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405WithAllow() throws Exception {
        start(tokens());

        var missing = send(request("/v1/nothing"));
        var delete = send(request("/v1/things/1").DELETE());

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing)).isEqualTo("NOT_FOUND");
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void withAuthOffOnLoopbackEveryoneMayCallTokenRoutes() throws Exception {
        start(tokens().toBuilder().authRequired(false).build());

        var anonymous = send(post("/v1/queues/anything/things", null, "application/json", "{}"));

        assertThat(anonymous.statusCode()).isEqualTo(200);
        // The JSON content type is still required: no cross-site form can post even in development
        assertThat(send(post("/v1/queues/anything/things", null, "text/plain", "{}"))
                        .statusCode())
                .isEqualTo(415);
    }

    @Test
    void aStateChangingRouteWithoutAuthIsRefusedBesideProbesOnAReachableAddress() {
        server = AdminServer.builder()
                .host("0.0.0.0")
                .port(0)
                .bindJvmMetrics(false)
                .http(HttpConfig.defaults().toBuilder().authRequired(false).build())
                .start();
        Endpoint replay = Endpoint.post("/v1/queues/{queue}/dlq:replay")
                .scope(Scope.DLQ_REPLAY)
                .to(request -> HttpResponse.json(200, "{}"));

        assertThatThrownBy(() -> server.route(replay))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.runtime.http.auth-required")
                .hasMessageContaining("/metrics");
        assertThatThrownBy(() -> server.route(Endpoint.post("/open").open().to(request -> null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("changes state");
    }
}
