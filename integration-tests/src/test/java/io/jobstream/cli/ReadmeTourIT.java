package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.testkit.JarProcesses;
import io.jobstream.testkit.JarProcesses.Run;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour on a production-shaped deployment: the packaged jar as separate processes ({@code api}, two {@code
 * worker}s, {@code dlq-service}, two {@code scheduler}s) around a real broker and a real redis-server, driven through
 * the CLI and HTTP the way the README tells a newcomer to, every step's output checked.
 */
@JobstreamTest
class ReadmeTourIT {
    private static final Path JAR = Path.of("..", "cli", "target", "jobstream.jar");
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)");
    private static final Pattern PUBLISHED = Pattern.compile("published id=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private JarProcesses jobstream;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void packagedJar() {
        jobstream = JarProcesses.of(JAR, dir);
    }

    @AfterEach
    void stopServices() throws InterruptedException {
        jobstream.close();
        http.close();
    }

    @Test
    void theTourRunsOnSeparateProcesses(KafkaCluster kafka, RedisServer redis, TestTopics topics) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        String queue = topics.unique("tour");

        // Given the queue's topics, created with the CLI
        Run created = cli(
                "topics",
                "create",
                "--bootstrap-servers",
                bootstrap,
                "--queue",
                queue,
                "--partitions",
                "3",
                "--replication",
                "1");
        assertThat(created.exit()).as(created.text()).isZero();
        assertThat(created.out()).contains(queue + ".dlq");
        // (run again, for a script: nothing new, every topic reported as existing, as one JSON object)
        Run createdAgain = cli("topics", "create", "--bootstrap-servers", bootstrap, "--queue", queue, "--json");
        assertThat(createdAgain.exit()).as(createdAgain.text()).isZero();
        JsonNode topicsJson = JSON.readTree(createdAgain.out());
        assertThat(topicsJson.path("queue").asText()).isEqualTo(queue);
        assertThat(topicsJson.path("created")).isEmpty();
        assertThat(topicsJson.path("existing").toString()).contains(queue + ".dlq", queue + ".events");

        // And the services: an API tracking job status, two workers, the dlq-service, two schedulers
        Path apiConfig = write("api.yaml", """
                jobstream:
                  runtime.http:
                    tokens:
                      tour: {token: tour-secret-0123456789, queues: "%s"}
                  status:
                    queues: [%s]
                    state-dir: %s
                """.formatted(queue, queue, dir.resolve("status")));
        String api = start(
                "api",
                "jobstream api:",
                "api",
                "--bootstrap-servers",
                bootstrap,
                "--config",
                apiConfig.toString(),
                "--port",
                "0");
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            workers.add(start(
                    "worker-" + i,
                    "jobstream worker:",
                    "worker",
                    "--bootstrap-servers",
                    bootstrap,
                    "--queue",
                    queue,
                    "--handler",
                    "log=log",
                    "--handler",
                    "fail=fail",
                    "--handler",
                    "noop=noop",
                    "--admin-port",
                    "0"));
        }
        String dlqService = start(
                "dlq-service",
                "jobstream dlq-service:",
                "dlq-service",
                "--bootstrap-servers",
                bootstrap,
                "--queue",
                queue,
                "--max-attempts",
                "3",
                "--backoff",
                "500ms",
                "--admin-port",
                "0");
        Path schedules = write("scheduler.yaml", """
                jobstream:
                  scheduler:
                    leader-lease: 3s
                    schedules:
                      heartbeat: {cron: "@every 2s", queue: %s, type: noop}
                """.formatted(queue));
        for (int i = 0; i < 2; i++) {
            start(
                    "scheduler-" + i,
                    "jobstream scheduler:",
                    "scheduler",
                    "--bootstrap-servers",
                    bootstrap,
                    "--config",
                    schedules.toString(),
                    "--redis-uri",
                    redis.uri(),
                    "--admin-port",
                    "0");
        }
        await().atMost(STEP).until(() -> get(api + "/ready").statusCode() == 200);

        // 1. A job over HTTP: 202 once Kafka acknowledged it, then the log handler runs it and its status says so
        HttpResponse<String> posted = post(
                api + "/v1/queues/" + queue + "/jobs",
                "tour-secret-0123456789",
                "{\"type\":\"log\",\"payload\":{\"hello\":\"world\"}}");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String hello = JSON.readTree(posted.body()).path("id").asText();
        assertThat(hello).isNotBlank();
        JsonNode helloStatus = awaitState(api, hello, "SUCCEEDED");
        assertThat(helloStatus.path("attempts").asInt()).isEqualTo(1);
        assertThat(serviceLogs("worker-")).contains(hello);
        // (without the token the API refuses)
        assertThat(post(api + "/v1/queues/" + queue + "/jobs", null, "{\"type\":\"log\"}")
                        .statusCode())
                .isEqualTo(401);

        // 2. A job that fails twice, then succeeds: retried through the delay tiers, 3 attempts
        String flaky = publish(bootstrap, queue, "fail", "{\"times\":2}");
        JsonNode flakyStatus = awaitState(api, flaky, "SUCCEEDED");
        assertThat(flakyStatus.path("attempts").asInt()).isEqualTo(3);
        assertThat(states(flakyStatus)).contains("FAILED", "RETRY_SCHEDULED", "SUCCEEDED");

        // 3. A job that always fails: dead-lettered after 3 attempts
        String doomed = publish(bootstrap, queue, "fail", "{\"always\":true}", "--max-attempts", "3");
        awaitState(api, doomed, "DEAD_LETTERED");
        Run listed = cli("dlq", "list", "--bootstrap-servers", bootstrap, "--queue", queue, "--json");
        assertThat(listed.exit()).as(listed.text()).isZero();
        assertThat(listed.out()).contains(doomed);

        // 4. Replay it: a dry run changes nothing, the replay puts it back once, a second replay does nothing
        Run dryRun =
                cli("dlq", "replay", "--bootstrap-servers", bootstrap, "--queue", queue, "--type", "fail", "--dry-run");
        assertThat(dryRun.exit()).as(dryRun.text()).isZero();
        assertThat(dryRun.out()).contains("dry run: matched 1");
        Run replayed = cli("dlq", "replay", "--bootstrap-servers", bootstrap, "--queue", queue, "--type", "fail");
        assertThat(replayed.exit()).as(replayed.text()).isZero();
        assertThat(replayed.out()).contains("replayed 1");
        await().atMost(STEP).until(() -> states(status(api, doomed)).contains("REPLAYED"));
        Run again = cli("dlq", "replay", "--bootstrap-servers", bootstrap, "--queue", queue, "--type", "fail");
        assertThat(again.exit()).as(again.text()).isZero();
        assertThat(again.out()).contains("already_replayed");

        // 5. A delayed job runs no earlier than its delay
        Instant before = Instant.now();
        String later = publish(bootstrap, queue, "log", "{\"later\":true}", "--delay", "3s");
        JsonNode laterStatus = awaitState(api, later, "SUCCEEDED");
        Instant ranAt = Instant.parse(laterStatus.path("lastUpdatedAt").asText());
        assertThat(ranAt).isAfterOrEqualTo(before.plusSeconds(3));

        // 6. Any producer can publish: a JSON envelope through kcat
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", bootstrap, "-t", queue, "-k", "from-kcat")
                .redirectErrorStream(true)
                .start();
        kcat.getOutputStream()
                .write("{\"id\":\"kcat-1\",\"type\":\"log\",\"payload\":{\"from\":\"kcat\"}}\n"
                        .getBytes(StandardCharsets.UTF_8));
        kcat.getOutputStream().close();
        assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).isZero();
        awaitState(api, "kcat-1", "SUCCEEDED");

        // 7. Lag: the workers' group drains to 0 and is OK; the metrics show what happened
        await().atMost(STEP).untilAsserted(() -> {
            Run lag = cli("lag", "--bootstrap-servers", bootstrap, "--queue", queue, "--json");
            assertThat(lag.exit()).as(lag.text()).isZero();
            List<JsonNode> partitions = lag.out()
                    .lines()
                    .map(ReadmeTourIT::json)
                    .filter(line -> line.path("group").asText().equals(queue + ".workers"))
                    .toList();
            assertThat(partitions).as(lag.out()).hasSize(3);
            assertThat(partitions).allSatisfy(partition -> {
                assertThat(partition.path("lag").asLong()).isZero();
                assertThat(partition.path("status").asText()).isEqualTo("OK");
            });
        });
        String metrics = get(workers.get(0) + "/metrics").body()
                + get(workers.get(1) + "/metrics").body();
        assertThat(metrics).contains("jobstream_jobs_completed_total{queue=\"" + queue + "\",type=\"log\"}");
        assertThat(get(dlqService + "/metrics").body()).contains("jobstream_dead_letters_total");

        // And the schedulers published their heartbeat, which the workers ran
        await().atMost(STEP).until(() -> (get(workers.get(0) + "/metrics").body()
                        + get(workers.get(1) + "/metrics").body())
                .contains("type=\"noop\""));
    }

    // --- helpers ---

    private Run cli(String... args) throws IOException, InterruptedException {
        return jobstream.run(args);
    }

    private String publish(String bootstrap, String queue, String type, String payload, String... more)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "publish", "--bootstrap-servers", bootstrap, "--queue", queue, "--type", type, "--payload", payload));
        args.addAll(List.of(more));
        Run run = cli(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.text()).isZero();
        Matcher id = PUBLISHED.matcher(run.out());
        assertThat(id.find()).as(run.text()).isTrue();
        return id.group(1);
    }

    /** Starts a service; returns its URL once it printed its banner line. */
    private String start(String name, String banner, String... args) throws IOException {
        String out = jobstream.start(name, Map.of(), args).awaitOutput(banner, STEP);
        Matcher url = URL.matcher(out);
        assertThat(url.find()).as("%s printed its URL:%n%s", name, out).isTrue();
        return url.group(1);
    }

    private String serviceLogs(String prefix) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix))
                    .toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    private JsonNode awaitState(String api, String id, String state) {
        return await().atMost(STEP)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> status(api, id),
                        job -> job != null && state.equals(job.path("state").asText()));
    }

    private JsonNode status(String api, String id) throws IOException, InterruptedException {
        Run run = cli("jobs", "get", id, "--api", api, "--token", "tour-secret-0123456789", "--json");
        return run.exit() == 0 ? JSON.readTree(run.out()) : null;
    }

    private static List<String> states(JsonNode job) {
        return job == null
                ? List.of()
                : StreamSupport.stream(job.path("events").spliterator(), false)
                        .map(event -> event.path("state").asText())
                        .toList();
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
