package io.jobstream.api.internal.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.api.JobStatus;
import io.jobstream.api.JobStatusLookup;
import io.jobstream.api.internal.ApiMetrics;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.runtime.http.Scope;
import io.jobstream.schemas.JobState;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The job-status routes over real HTTP, answering from a given lookup; forwarding between two servers. */
class StatusRoutesTest {
    private static final String TOKEN = "routes-token-0123456789";
    private static final String NARROW = "narrow-token-0123456789";
    private static final String PUBLISH_ONLY = "publish-only-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JobStatus STATUS = new JobStatus(
            "job-1",
            "emails",
            "send_email",
            JobState.SUCCEEDED,
            3,
            Optional.of(Instant.parse("2026-11-22T09:00:00Z")),
            Instant.parse("2026-11-22T09:00:07Z"),
            Optional.of("HANDLER_ERROR boom"),
            2,
            List.of(
                    new JobStatus.Event(
                            JobState.FAILED,
                            2,
                            Instant.parse("2026-11-22T09:00:03Z"),
                            Optional.of("worker-1"),
                            Optional.of("HANDLER_ERROR boom")),
                    new JobStatus.Event(
                            JobState.SUCCEEDED,
                            3,
                            Instant.parse("2026-11-22T09:00:07Z"),
                            Optional.of("worker-1"),
                            Optional.empty())));

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
        http.close();
    }

    private AdminServer serve(Function<String, JobStatusLookup> lookup) {
        return serveScoped((id, readable) -> lookup.apply(id));
    }

    private AdminServer serveScoped(StatusRoutes.Lookup lookup) {
        AdminServer server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HttpConfig.defaults(List.of(
                        AccessToken.of("all", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("*")),
                        AccessToken.of("narrow", NARROW, HttpConfig.DEFAULT_SCOPES, Set.of("reports")),
                        AccessToken.of("publisher", PUBLISH_ONLY, Set.of(Scope.PUBLISH), Set.of("*")))))
                .start();
        resources.add(server);
        StatusRoutes routes = new StatusRoutes(
                lookup, Duration.ofSeconds(2), new ApiMetrics(server.registry()), "127.0.0.1:" + server.port());
        resources.add(routes);
        routes.endpoints().forEach(server::route);
        return server;
    }

    private HttpResponse<String> get(AdminServer server, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKnownJobIsAnsweredWithItsStatusAndEvents() throws Exception {
        // Given a replica holding the job
        AdminServer server = serve(id -> new JobStatusLookup.Found(STATUS));

        // When its status and its events are asked for
        HttpResponse<String> status = get(server, "/v1/jobs/job-1", TOKEN);
        HttpResponse<String> events = get(server, "/v1/jobs/job-1/events", TOKEN);

        // Then both answer 200 with the fields the CLI reads
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(status.body());
        assertThat(body.get("id").asText()).isEqualTo("job-1");
        assertThat(body.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("attempts").asInt()).isEqualTo(3);
        assertThat(body.get("lastError").asText()).isEqualTo("HANDLER_ERROR boom");
        assertThat(body.get("firstEnqueuedAt").asText()).isEqualTo("2026-11-22T09:00:00Z");
        assertThat(body.get("events").get(1).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("events").get(1).get("error").isNull()).isTrue();
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(events.body()).get("events")).hasSize(2);
        assertThat(status.headers().firstValue(StatusRoutes.SERVED_BY)).contains("127.0.0.1:" + server.port());
    }

    @Test
    void aHugeUnknownIdIsA404ThatDoesNotEchoIt() throws Exception {
        // Given a replica that knows no job
        AdminServer empty = serve(JobStatusLookup.NotFound::new);

        // When an id of 8,000 characters is asked for
        HttpResponse<String> huge = get(empty, "/v1/jobs/" + "x".repeat(8_000), TOKEN);

        // Then it is a 404 that quotes at most 64 characters of the id
        assertThat(huge.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(huge.body()).get("error").asText()).isEqualTo("JOB_NOT_FOUND");
        assertThat(huge.body().length()).isLessThan(500);
    }

    @Test
    void refusalsAreJsonErrorsWithStableCodes() throws Exception {
        // Given a replica that knows no job, one that is rebalancing, and one holding the job
        AdminServer empty = serve(JobStatusLookup.NotFound::new);
        AdminServer starting = serve(id -> new JobStatusLookup.Unavailable("the job-status store is REBALANCING"));
        AdminServer holding = serve(id -> new JobStatusLookup.Found(STATUS));

        // Then: unknown id 404, not queryable 503 with Retry-After, no token 401, a token for another queue or
        // without status:read the same 404 as an unknown id (never a 403 naming the job's queue), another method 405,
        // another path 404
        HttpResponse<String> notFound = get(empty, "/v1/jobs/nope", TOKEN);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(notFound.body()).get("error").asText()).isEqualTo("JOB_NOT_FOUND");
        assertThat(JSON.readTree(notFound.body()).get("message").asText()).contains("nope");

        HttpResponse<String> unavailable = get(starting, "/v1/jobs/job-1", TOKEN);
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(unavailable.body()).get("error").asText()).isEqualTo("STATUS_UNAVAILABLE");
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();

        assertThat(get(holding, "/v1/jobs/job-1", null).statusCode()).isEqualTo(401);
        assertThat(get(holding, "/v1/jobs/job-1", "wrong-token-0123456789").statusCode())
                .isEqualTo(401);
        HttpResponse<String> otherQueue = get(holding, "/v1/jobs/job-1", NARROW);
        HttpResponse<String> noReadScope = get(holding, "/v1/jobs/job-1", PUBLISH_ONLY);
        for (HttpResponse<String> hidden : List.of(otherQueue, noReadScope)) {
            assertThat(hidden.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(hidden.body()).get("error").asText()).isEqualTo("JOB_NOT_FOUND");
            assertThat(hidden.body()).doesNotContain("emails");
        }

        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + holding.port() + "/v1/jobs/job-1"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(get(holding, "/v1/jobs/job-1/history", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void theQueueParameterNarrowsTheLookupToOneQueueAndAnIdInSeveralQueuesIsA409() throws Exception {
        // Given a replica holding job-1 in queues emails and reports
        AdminServer server = serveScoped((id, readable) -> {
            List<String> holding =
                    List.of("emails", "reports").stream().filter(readable).toList();
            return switch (holding.size()) {
                case 0 -> new JobStatusLookup.NotFound(id);
                case 1 ->
                    holding.contains("emails") ? new JobStatusLookup.Found(STATUS) : new JobStatusLookup.NotFound(id);
                default -> new JobStatusLookup.Ambiguous(id, holding);
            };
        });

        // When a token for every queue asks without and with ?queue=, and a token for reports asks for emails
        HttpResponse<String> ambiguous = get(server, "/v1/jobs/job-1", TOKEN);
        HttpResponse<String> narrowed = get(server, "/v1/jobs/job-1?queue=emails", TOKEN);
        HttpResponse<String> notItsQueue = get(server, "/v1/jobs/job-1?queue=emails", NARROW);

        // Then the first is a 409 naming the queues, the second the job, the third a 404
        assertThat(ambiguous.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(ambiguous.body()).get("error").asText()).isEqualTo("AMBIGUOUS_JOB_ID");
        assertThat(narrowed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(narrowed.body()).get("queue").asText()).isEqualTo("emails");
        assertThat(notItsQueue.statusCode()).isEqualTo(404);
    }

    @Test
    void aJobOwnedByAnotherReplicaIsFetchedFromItWithTheCallersToken() throws Exception {
        // Given replica A holding the job and replica B that knows A owns it
        AdminServer a = serve(id -> new JobStatusLookup.Found(STATUS));
        AdminServer b = serve(id -> new JobStatusLookup.Elsewhere("127.0.0.1", a.port()));

        // When B is asked, with a token and without one
        HttpResponse<String> viaB = get(b, "/v1/jobs/job-1", TOKEN);
        HttpResponse<String> forbiddenViaB = get(b, "/v1/jobs/job-1", NARROW);
        HttpResponse<String> eventsViaB = get(b, "/v1/jobs/job-1/events", TOKEN);

        // Then A's answers come back as they are, A named as the one that answered
        assertThat(viaB.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(viaB.body()).get("attempts").asInt()).isEqualTo(3);
        assertThat(viaB.headers().firstValue(StatusRoutes.SERVED_BY)).contains("127.0.0.1:" + a.port());
        assertThat(forbiddenViaB.statusCode()).isEqualTo(404);
        assertThat(forbiddenViaB.body()).doesNotContain("emails");
        assertThat(eventsViaB.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(eventsViaB.body()).get("events")).hasSize(2);
    }

    @Test
    void aForwardedRequestIsNeverForwardedAgainAndAnUnreachableOwnerIsA503() throws Exception {
        // Given two replicas that each believe the other owns the job, and one whose owner is gone
        int[] ports = new int[2];
        AdminServer a = serve(id -> new JobStatusLookup.Elsewhere("127.0.0.1", ports[1]));
        AdminServer b = serve(id -> new JobStatusLookup.Elsewhere("127.0.0.1", ports[0]));
        ports[0] = a.port();
        ports[1] = b.port();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AdminServer orphan = serve(id -> new JobStatusLookup.Elsewhere("127.0.0.1", closedPort));

        // When each is asked
        HttpResponse<String> moving = get(a, "/v1/jobs/job-1", TOKEN);
        HttpResponse<String> unreachable = get(orphan, "/v1/jobs/job-1", TOKEN);

        // Then the ping-pong stops after one hop, and the missing owner is named
        assertThat(moving.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(moving.body()).get("error").asText()).isEqualTo("STATUS_UNAVAILABLE");
        assertThat(moving.body()).contains("moving");
        assertThat(unreachable.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(unreachable.body()).get("error").asText()).isEqualTo("OWNER_UNREACHABLE");
        assertThat(unreachable.body()).contains("127.0.0.1:" + closedPort);
    }
}
