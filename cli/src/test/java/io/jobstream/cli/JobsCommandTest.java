package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jobstream jobs get} against an HTTP server answering as the API's job-status routes do. */
class JobsCommandTest {
    private static final String SUCCEEDED = """
            {"id":"job-1","queue":"jobs","type":"send_email","state":"SUCCEEDED","attempts":3,\
            "firstEnqueuedAt":"2026-11-22T09:00:00Z","lastUpdatedAt":"2026-11-22T09:00:07Z",\
            "lastError":"HANDLER_ERROR boom","eventCount":2,"events":[\
            {"state":"FAILED","attempt":2,"at":"2026-11-22T09:00:03Z","workerId":"worker-1","error":"HANDLER_ERROR boom"},\
            {"state":"SUCCEEDED","attempt":3,"at":"2026-11-22T09:00:07Z","workerId":"worker-1","error":null}]}""";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private final Map<String, String> queries = new ConcurrentHashMap<>();
    private HttpServer server;
    private String api;

    @BeforeEach
    void startApi() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/jobs/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/v1/jobs/".length());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.put(id, auth == null ? "" : auth);
            queries.put(id, String.valueOf(exchange.getRequestURI().getRawQuery()));
            int status;
            String body;
            switch (id) {
                case "order-7" -> {
                    status = 409;
                    body = "{\"error\":\"AMBIGUOUS_JOB_ID\",\"message\":\"job id order-7 is in several of your"
                            + " queues [emails, reports] (job ids are per queue); ask with ?queue=<name>\"}";
                }
                case "job-1" -> {
                    status = 200;
                    body = SUCCEEDED;
                }
                case "rebalancing" -> {
                    status = 503;
                    body = "{\"error\":\"STATUS_UNAVAILABLE\",\"message\":\"the job-status store is REBALANCING\"}";
                }
                default -> {
                    status = 404;
                    body = "{\"error\":\"JOB_NOT_FOUND\",\"message\":\"no job with id " + id + " is known\"}";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
        api = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopApi() {
        server.stop(0);
    }

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void printsTheStateAttemptsLastErrorAndEvents() {
        // When a known job is asked for with a token
        int exit = run("jobs", "get", "job-1", "--api", api, "--token", "t0ken-0123456789abcdef");

        // Then it prints each field and one line per event, and sent the token
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("id          job-1", "state       SUCCEEDED", "attempts    3", "HANDLER_ERROR boom")
                .contains("2026-11-22T09:00:07Z  SUCCEEDED        attempt 3  worker-1");
        assertThat(authorizations).containsEntry("job-1", "Bearer t0ken-0123456789abcdef");
    }

    @Test
    void jsonPrintsOneObjectWithTheApisFields() {
        // When asked for JSON
        int exit = run("jobs", "get", "job-1", "--api", api + "/", "--json");

        // Then one line holds id, state, attempts, lastError and events
        assertThat(exit).isZero();
        assertThat(out.toString().lines()).hasSize(1);
        assertThat(out.toString())
                .contains("\"id\":\"job-1\"", "\"state\":\"SUCCEEDED\"", "\"attempts\":3", "\"lastError\"")
                .contains("\"events\":[");
    }

    @Test
    void anUnknownJobOrAnUnavailableStoreIsARuntimeFailureOnOneLine() {
        // When an unknown id, then a job while the store rebalances, is asked for
        int unknown = run("jobs", "get", "nope", "--api", api);
        int rebalancing = run("jobs", "get", "rebalancing", "--api", api);

        // Then both fail with exit 1, one line each, saying why
        assertThat(unknown).isEqualTo(Jobstream.FAILURE);
        assertThat(rebalancing).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString().lines())
                .containsExactly(
                        "jobstream: no job with id nope is known",
                        "jobstream: the API answered 503 STATUS_UNAVAILABLE: the job-status store is REBALANCING");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anIdInSeveralQueuesAsksForTheQueueWhichIsSentAsAParameter() {
        // When an id held by several queues is asked for, then a job with --queue
        int ambiguous = run("jobs", "get", "order-7", "--api", api);
        int narrowed = run("jobs", "get", "job-1", "--api", api, "--queue", "emails");

        // Then the first fails saying to pass --queue, and the second sends ?queue=
        assertThat(ambiguous).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString()).contains("AMBIGUOUS", "several", "--queue").doesNotContain("\n\n");
        assertThat(narrowed).isZero();
        assertThat(queries).containsEntry("job-1", "queue=emails");
    }

    @Test
    void anUnreachableApiIsARuntimeFailureNamingIt() throws Exception {
        // Given an address where nothing listens
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        // When asked
        int exit = run("jobs", "get", "job-1", "--api", "http://127.0.0.1:" + port);

        // Then it fails on one line naming the API
        assertThat(exit).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).contains("http://127.0.0.1:" + port, "not reachable");
    }

    @Test
    void aMissingIdOrABadUrlIsAUsageError() {
        assertThat(run("jobs", "get")).isEqualTo(Jobstream.USAGE);
        assertThat(run("jobs", "get", "job-1", "--api", "not a url")).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("ID", "--api");
    }
}
