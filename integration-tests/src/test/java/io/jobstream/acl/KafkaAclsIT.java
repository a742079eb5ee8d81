package io.jobstream.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.acl.RoleAcls.Grant;
import io.jobstream.acl.RoleAcls.Role;
import io.jobstream.producer.QueueTopics;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JarProcesses;
import io.jobstream.testkit.JarProcesses.Run;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented Kafka ACLs are enough, and enforced: a broker with a SCRAM-SHA-512 listener and Kafka's KRaft
 * authorizer, one SCRAM user per role holding exactly the ACLs of {@link RoleAcls} (the docs' table), the packaged
 * jar's roles each started with their own credentials, and the README's flow through them: the topics created, a job
 * over HTTP, one that fails twice then succeeds through the retry tiers, one dead-lettered and replayed, job status by
 * id, lag, a scheduled job. Then what a role was not granted is refused, and a role missing one of its ACLs says so.
 */
@JobstreamTest
class KafkaAclsIT {
    private static final Path JAR = Path.of("..", "cli", "target", "jobstream.jar");
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP = Duration.ofSeconds(90);
    private static final String TOKEN = "acl-secret-0123456789";
    /**
     * The one documented ACL a run may not need: the router reads its changelog only to restore its store (after a
     * crash, or on an instance that takes over a task), which a run without failures may never do.
     */
    private static final String RESTORE_ONLY = "TOPIC PREFIXED jobs.dlq-router- User:jobstream-dlq-service READ";

    /** The ACL behind an allowed request, in the broker's authorizer log ({@code kafka.authorizer.logger}). */
    private static final Pattern ALLOWED_BY = Pattern.compile("is Allowed operation = .*? based on rule"
            + " MatchingAcl\\(acl=StandardAcl\\[resourceType=(\\w+), resourceName=([^,\\]]*), patternType=(\\w+),"
            + " principal=([^,\\]]*), host=[^,\\]]*, operation=(\\w+), permissionType=ALLOW");

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
    void theReadmeFlowRunsOnExactlyTheDocumentedAclsOfEachRole(RedisServer redis) throws Exception {
        try (KafkaCluster kafka =
                KafkaCluster.builder().name("acl-kafka").scram().build().start()) {
            String queue = "jobs";
            // Given one SCRAM user per role, each with exactly its documented ACLs for the queue
            List<AclBinding> documented = new ArrayList<>();
            for (Role role : Role.values()) {
                documented.addAll(grant(kafka, role, RoleAcls.of(role), queue));
            }

            // When an operator creates the queue's topics with the admin role's credentials
            Run created = cli(
                    "topics",
                    "create",
                    "--config",
                    config(kafka, Role.ADMIN, ""),
                    "--queue",
                    queue,
                    "--partitions",
                    "3",
                    "--replication",
                    "1");
            assertThat(created.exit()).as(created.text()).isZero();
            assertThat(created.out()).contains(queue + ".dlq");

            // And starts every role with its own credentials
            String api = start(
                    "api",
                    "jobstream api:",
                    "api",
                    "--config",
                    config(kafka, Role.API, """
                              runtime.http:
                                tokens:
                                  acl: {token: %s, queues: "%s"}
                              status:
                                queues: [%s]
                                state-dir: %s
                            """.formatted(TOKEN, queue, queue, dir.resolve("status"))),
                    "--port",
                    "0");
            String worker = start(
                    "worker",
                    "jobstream worker:",
                    "worker",
                    "--config",
                    config(kafka, Role.WORKER, ""),
                    "--queue",
                    queue,
                    "--handler",
                    "log=log",
                    "--handler",
                    "fail=fail",
                    "--handler",
                    "noop=noop",
                    "--admin-port",
                    "0");
            String dlqConfig = config(kafka, Role.DLQ_SERVICE, "");
            String dlqService = start(
                    "dlq-service",
                    "jobstream dlq-service:",
                    "dlq-service",
                    "--config",
                    dlqConfig,
                    "--queue",
                    queue,
                    "--max-attempts",
                    "3",
                    "--backoff",
                    "500ms",
                    "--admin-port",
                    "0");
            String[] scheduler = {
                "scheduler",
                "--config",
                config(kafka, Role.SCHEDULER, """
                          scheduler:
                            leader-lease: 3s
                            schedules:
                              heartbeat: {cron: "@every 2s", queue: %s, type: noop}
                        """.formatted(queue)),
                "--redis-uri",
                redis.uri(),
                "--admin-port",
                "0"
            };
            JarProcesses.Service firstScheduler = jobstream.start("scheduler", Map.of(), scheduler);
            firstScheduler.awaitOutput("jobstream scheduler:", STEP);
            for (String service : List.of(api, worker, dlqService)) {
                await().atMost(STEP).until(() -> get(service + "/ready").statusCode() == 200);
            }

            // Then a job over HTTP runs and its status says so
            String hello = post(api, queue, "{\"type\":\"log\",\"payload\":{\"hello\":\"acl\"}}");
            assertThat(awaitState(api, hello, "SUCCEEDED").path("attempts").asInt())
                    .isEqualTo(1);
            // And a delayed job over HTTP (published straight to its delay tier) runs once due
            awaitState(api, post(api, queue, "{\"type\":\"log\",\"delay\":\"2s\"}"), "SUCCEEDED");
            // And a job any producer wrote straight to the queue before it is due runs once due (the worker defers it)
            try (KafkaProducer<byte[], byte[]> anyProducer = producer(kafka.clientProperties())) {
                String envelope = "{\"id\":\"not-due-1\",\"type\":\"log\",\"payload\":{},\"notBefore\":\""
                        + java.time.Instant.now().plusSeconds(3) + "\"}";
                anyProducer
                        .send(new ProducerRecord<>(
                                queue,
                                "not-due-1".getBytes(StandardCharsets.UTF_8),
                                envelope.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
            awaitState(api, "not-due-1", "SUCCEEDED");
            // And a job failing twice succeeds on its third attempt, retried through the delay tiers
            String flaky = post(api, queue, "{\"type\":\"fail\",\"payload\":{\"times\":2}}");
            JsonNode flakyStatus = awaitState(api, flaky, "SUCCEEDED");
            assertThat(flakyStatus.path("attempts").asInt()).isEqualTo(3);
            assertThat(states(flakyStatus)).contains("FAILED", "RETRY_SCHEDULED", "SUCCEEDED");
            // And a job that always fails is dead-lettered, listed, and replayed once with the dlq-service's
            // credentials
            String doomed = post(api, queue, "{\"type\":\"fail\",\"payload\":{\"always\":true}}");
            awaitState(api, doomed, "DEAD_LETTERED");
            Run listed = cli("dlq", "list", "--config", dlqConfig, "--queue", queue, "--json");
            assertThat(listed.exit()).as(listed.text()).isZero();
            assertThat(listed.out()).contains(doomed);
            Run replayed = cli("dlq", "replay", "--config", dlqConfig, "--queue", queue, "--type", "fail");
            assertThat(replayed.exit()).as(replayed.text()).isZero();
            assertThat(replayed.out()).contains("replayed 1");
            await().atMost(STEP).until(() -> states(status(api, doomed)).contains("REPLAYED"));
            Run again = cli("dlq", "replay", "--config", dlqConfig, "--queue", queue, "--type", "fail");
            assertThat(again.exit()).as(again.text()).isZero();
            assertThat(again.out()).contains("already_replayed");
            // And the lag of the workers' group drains to 0, read with the dlq-service's credentials
            await().atMost(STEP).untilAsserted(() -> {
                Run lag = cli("lag", "--config", dlqConfig, "--queue", queue, "--json");
                assertThat(lag.exit()).as(lag.text()).isZero();
                List<JsonNode> partitions = lag.out()
                        .lines()
                        .map(KafkaAclsIT::json)
                        .filter(line -> line.path("group").asText().equals(Names.workerGroup(queue)))
                        .toList();
                assertThat(partitions).as(lag.out()).hasSize(3);
                assertThat(partitions)
                        .allSatisfy(partition ->
                                assertThat(partition.path("status").asText()).isEqualTo("OK"));
            });
            // And the scheduler's ticks were published and run
            await().atMost(STEP).until(() -> get(worker + "/metrics").body().contains("type=\"noop\""));
            // And a new scheduler reads the tick log the first one wrote
            firstScheduler.process().destroy();
            assertThat(firstScheduler.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            JarProcesses.Service nextScheduler = jobstream.start("scheduler-next", Map.of(), scheduler);
            await().atMost(STEP).until(() -> nextScheduler.log().contains("scheduler opened its tick log"));
            assertThat(nextScheduler.log()).doesNotContain("last-fired={}");

            // And every documented ACL was needed: each one allowed at least one request of the flow (the broker's
            // authorizer logs the ACL behind each decision)
            String audit = Files.readString(kafka.logFile(1));
            Set<String> used = new TreeSet<>();
            Matcher allowed = ALLOWED_BY.matcher(audit);
            while (allowed.find()) {
                used.add(String.join(
                        " ", allowed.group(1), allowed.group(3), allowed.group(2), allowed.group(4), allowed.group(5)));
            }
            List<String> unused = documented.stream()
                    .map(KafkaAclsIT::describe)
                    .filter(acl -> !used.contains(acl) && !acl.equals(RESTORE_ONLY))
                    .toList();
            assertThat(unused)
                    .as("documented ACLs no request of the flow needed; used: %s", used)
                    .isEmpty();

            // And what a role was not granted is refused: the worker's credentials cannot write dead letters...
            Map<String, Object> workerClient = kafka.scramClientProperties(user(Role.WORKER), password(Role.WORKER));
            try (KafkaProducer<byte[], byte[]> producer = producer(workerClient)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.dlq(queue), new byte[] {1}))
                                .get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            // ...nor read another queue
            String other = "other";
            QueueTopics.using(kafka.admin()).create(other, 1, 1);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(workerClient, Names.workerGroup(queue))) {
                consumer.subscribe(List.of(other));
                assertThatThrownBy(() -> {
                            for (int i = 0; i < 50; i++) {
                                consumer.poll(Duration.ofMillis(200));
                            }
                        })
                        .isInstanceOf(TopicAuthorizationException.class);
            }

            // And a worker missing one documented ACL (READ on its group) says so instead of waiting forever
            Role role = Role.WORKER;
            List<Grant> withoutGroup = RoleAcls.of(role).stream()
                    .filter(grant -> grant.type() != ResourceType.GROUP)
                    .toList();
            kafka.createScramUser("jobstream-worker-other", password(role));
            kafka.admin()
                    .createAcls(RoleAcls.bindings(withoutGroup, "User:jobstream-worker-other", other))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Path otherConfig = write("worker-other.yaml", kafkaConfig(kafka, "jobstream-worker-other", password(role)));
            JarProcesses.Service denied = jobstream.start(
                    "worker-other",
                    Map.of(),
                    "worker",
                    "--config",
                    otherConfig.toString(),
                    "--queue",
                    other,
                    "--handler",
                    "log=log",
                    "--admin-port",
                    "0");
            // (it stops, and its last words name the group it may not use)
            assertThat(denied.process().waitFor(STEP.toSeconds(), TimeUnit.SECONDS))
                    .as(denied.log())
                    .isTrue();
            assertThat(denied.process().exitValue()).as(denied.log()).isNotZero();
            assertThat(denied.log()).contains("Not authorized to access group: " + Names.workerGroup(other));
        }
    }

    // --- helpers ---

    /**
     * Runs a one-shot command; again while it finds the brokers unreachable within its 5 s (a machine loaded by
     * parallel builds), never again once it ran.
     */
    private Run cli(String... args) throws Exception {
        return await().atMost(STEP)
                .until(() -> jobstream.run(args), run -> !run.err().contains("Kafka is not reachable"));
    }

    private static List<AclBinding> grant(KafkaCluster kafka, Role role, List<Grant> grants, String queue)
            throws Exception {
        kafka.createScramUser(user(role), password(role));
        List<AclBinding> bindings = RoleAcls.bindings(grants, "User:" + user(role), queue);
        kafka.admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        return bindings;
    }

    /** An ACL as {@link #ALLOWED_BY} reads it: resource type, pattern type, name, principal, operation. */
    private static String describe(AclBinding binding) {
        return String.join(
                " ",
                binding.pattern().resourceType().name(),
                binding.pattern().patternType().name(),
                binding.pattern().name(),
                binding.entry().principal(),
                binding.entry().operation().name());
    }

    private static String user(Role role) {
        return RoleAcls.principal(role);
    }

    private static String password(Role role) {
        return user(role) + "-secret";
    }

    /** A config file with {@code role}'s Kafka credentials, then {@code more} (indented under {@code jobstream:}). */
    private String config(KafkaCluster kafka, Role role, String more) throws IOException {
        return write(user(role) + ".yaml", kafkaConfig(kafka, user(role), password(role)) + more)
                .toString();
    }

    private static String kafkaConfig(KafkaCluster kafka, String user, String password) {
        return """
                jobstream:
                  kafka:
                    bootstrap-servers: %s
                    security-protocol: SASL_PLAINTEXT
                    sasl:
                      mechanism: SCRAM-SHA-512
                      username: %s
                      password: %s
                """.formatted(kafka.scramBootstrapServers(), user, password);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> client) {
        Map<String, Object> props = new java.util.HashMap<>(client);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client, String group) {
        Map<String, Object> props = new java.util.HashMap<>(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Starts a service; returns its URL once it printed its banner line. */
    private String start(String name, String banner, String... args) throws IOException {
        String out = jobstream.start(name, Map.of(), args).awaitOutput(banner, STEP);
        Matcher url = URL.matcher(out);
        assertThat(url.find()).as("%s printed its URL:%n%s", name, out).isTrue();
        return url.group(1);
    }

    private String post(String api, String queue, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(api + "/v1/queues/" + queue + "/jobs"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).path("id").asText();
    }

    private JsonNode awaitState(String api, String id, String state) {
        return await().atMost(STEP)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> status(api, id),
                        job -> job != null && state.equals(job.path("state").asText()));
    }

    private JsonNode status(String api, String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
}
