package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.ApicurioRegistry;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serializer nobody here wrote: Confluent's JavaScript Avro serde ({@code @confluentinc/schemaregistry}) with
 * kafkajs ({@code integration-js/}, installed by {@code npm ci}; {@code .ci/run} does it), against Apicurio's
 * Confluent API and a real broker. Jobs it publishes (the {@code Job} schema registered under {@code <queue>-value},
 * TopicNameStrategy) are all run by the packaged {@code jobstream worker}, configured only through {@code JOBSTREAM_*}
 * environment variables; and jobs {@link JobPublisher} writes in the Confluent format are decoded by that client.
 * Without {@code node} or the npm packages this test fails, saying what to install.
 */
@JobstreamTest
class ConfluentJavaScriptClientIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final int JOBS = 100;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyJobTheConfluentJavaScriptSerializerPublishesIsRunByAWorkerConfiguredByEnvironment(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        Path script = script();
        String queue = topics.unique("confluent-js");
        try (ApicurioRegistry registry = ApicurioRegistry.start();
                Admin admin = Admin.create(kafka.clientProperties())) {
            // Given the queue's topics and a worker configured by environment variables only
            QueueTopics.using(admin).create(queue, 3, 1);
            Path out = dir.resolve("worker.out");
            ProcessBuilder worker = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            JAR.toAbsolutePath().toString(),
                            "worker")
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            worker.environment().keySet().removeIf(name -> name.startsWith("JOBSTREAM_"));
            worker.environment()
                    .putAll(Map.of(
                            "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS",
                            kafka.bootstrapServers(),
                            "JOBSTREAM_WORKER_QUEUE",
                            queue,
                            "JOBSTREAM_RUNTIME_ADMIN_PORT",
                            "0",
                            "JOBSTREAM_SCHEMAS_WRITE_FORMAT",
                            "confluent",
                            "JOBSTREAM_SCHEMAS_REGISTRY_URL",
                            registry.confluentUrl()));
            Process process = worker.start();
            try {
                await().atMost(WAIT)
                        .failFast("the worker exited", () -> !process.isAlive())
                        .until(() -> Files.readString(out).contains("jobstream worker: running"));

                // When the JavaScript client registers Job under <queue>-value and publishes 100 jobs
                List<String> ids = node(
                        dir,
                        script,
                        "produce",
                        kafka.bootstrapServers(),
                        registry.confluentUrl(),
                        queue,
                        Integer.toString(JOBS),
                        projectRoot().resolve("schemas/src/main/avro/Job.avsc").toString());
                assertThat(ids).hasSize(JOBS).doesNotHaveDuplicates();

                // Then the worker runs every one of them, and fails none
                await().atMost(WAIT)
                        .failFast("the worker exited", () -> !process.isAlive())
                        .until(() -> kafka.committedOffsets(Names.workerGroup(queue)).values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                == JOBS);
                String log = Files.readString(out);
                assertThat(ids).allSatisfy(id -> assertThat(log).contains("type=log id=" + id + " "));
                assertThat(kafka.endOffsets(Topics.failed(queue)).values()).containsOnly(0L);
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void jobsJobPublisherWritesInTheConfluentFormatAreDecodedByTheConfluentJavaScriptDeserializer(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        Path script = script();
        String queue = topics.unique("to-js");
        try (ApicurioRegistry registry = ApicurioRegistry.start();
                Admin admin = Admin.create(kafka.clientProperties())) {
            // Given jobs JobPublisher published in the Confluent format through Apicurio
            QueueTopics.using(admin).create(queue, 3, 1);
            SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.of(registry.confluentUrl()));
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                jobs.add(Jobs.builder("send_email")
                        .jsonPayload("{\"n\":" + i + "}")
                        .build());
            }
            try (JobPublisher publisher = JobPublisher.create(
                    PublisherConfig.builder().serde(confluent).build(),
                    KafkaSettings.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .build())) {
                assertThat(publisher.publishAll(queue, jobs).get(60, TimeUnit.SECONDS))
                        .allMatch(outcome -> outcome instanceof PublishOutcome.Published);
            }

            // When the JavaScript client reads them with its Avro deserializer
            List<String> lines =
                    node(dir, script, "consume", kafka.bootstrapServers(), registry.confluentUrl(), queue, "20");

            // Then it decodes every job: id, type, payload and content type
            List<JsonNode> decoded = new ArrayList<>();
            for (String line : lines) {
                decoded.add(JSON.readTree(line));
            }
            assertThat(decoded)
                    .extracting(
                            node -> node.get("id").asText(),
                            node -> node.get("type").asText(),
                            node -> node.get("payload").asText(),
                            node -> node.get("contentType").asText())
                    .containsExactlyInAnyOrderElementsOf(jobs.stream()
                            .map(job -> tuple(
                                    job.getId(),
                                    job.getType(),
                                    StandardCharsets.UTF_8
                                            .decode(job.getPayload().duplicate())
                                            .toString(),
                                    job.getContentType()))
                            .toList());
        }
    }

    /** The script, after checking that {@code node} and the npm packages are there; fails saying what to install. */
    private static Path script() throws IOException, InterruptedException {
        Path js = projectRoot().resolve("integration-js");
        Process version;
        try {
            version = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError("node is not installed (needed for the Confluent JavaScript client): install"
                    + " Node.js 18+ (Debian: apt-get install nodejs npm), then run 'npm ci' in " + js
                    + " (bash .ci/run does both)");
        }
        assertThat(version.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(js.resolve("node_modules/@confluentinc/schemaregistry"))
                .as("npm packages missing: run 'npm ci' in " + js + " (bash .ci/run does it)")
                .isDirectory();
        assertThat(js.resolve("node_modules/kafkajs"))
                .as("npm packages missing: run 'npm ci' in " + js + " (bash .ci/run does it)")
                .isDirectory();
        return js.resolve("confluent-jobs.js");
    }

    /** Runs the script to its end (bounded) and returns its stdout lines; fails with its output if it fails. */
    private static List<String> node(Path dir, Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script.toString()));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("node-" + args[0] + ".out");
        Path stderr = dir.resolve("node-" + args[0] + ".err");
        Process node = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            boolean ended = node.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ended)
                    .as("node " + args[0] + " ended within " + WAIT + "; stderr:\n" + readQuietly(stderr))
                    .isTrue();
            assertThat(node.exitValue())
                    .as("node " + args[0] + " exit code; stderr:\n" + readQuietly(stderr))
                    .isZero();
            return Files.readAllLines(stdout).stream().filter(l -> !l.isBlank()).toList();
        } finally {
            if (node.isAlive()) {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** The folder holding {@code integration-js/}: the cli module's parent under Maven. */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("integration-js"))) {
                return dir;
            }
        }
        throw new AssertionError("no integration-js/ in " + Path.of("").toAbsolutePath() + " or above");
    }
}
