package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that cannot work says so: {@code /health} and {@code /ready} answer 503 and the command exits with 1, so an
 * orchestrator restarts it, whether the poll loop cannot start (a missing {@code <queue>.failed}) or dies later (a
 * static member whose instance id another member holds).
 */
@JobstreamTest
class WorkerFailureIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aWorkerWhoseFailedTopicIsMissingExitsWith1NamingTheTopic(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        // Given a queue with its events topic but without <queue>.failed
        String queue = topics.create("no-failed", 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        Path err = dir.resolve("worker.err");

        // When a worker process starts on it
        Process worker = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.toAbsolutePath().toString(),
                        "worker",
                        "--queue",
                        queue,
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--admin-port",
                        "0")
                .redirectOutput(dir.resolve("worker.out").toFile())
                .redirectError(err.toFile())
                .start();
        try {
            // Then it exits with 1, with one line (among its logs) naming the missing topic
            assertThat(worker.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the worker exited")
                    .isTrue();
            assertThat(worker.exitValue()).isEqualTo(1);
            assertThat(Files.readAllLines(err))
                    .filteredOn(line -> line.startsWith("jobstream: "))
                    .singleElement()
                    .asString()
                    .startsWith(
                            "jobstream: worker stopped: topics [" + Topics.failed(queue) + "] do not exist: create");
        } finally {
            worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWorkerWhosePollLoopDiesAnswers503OnHealthAndReadyAndExitsWith1(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a queue with all its topics, and a consumer holding the static instance id "worker-a" in its group
        String queue = topics.create("fenced", 1);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, queue + ".workers");
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "worker-a");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        try (KafkaConsumer<byte[], byte[]> holder =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                HttpClient http = HttpClient.newHttpClient()) {
            holder.subscribe(List.of(queue));
            await().atMost(WAIT).until(() -> {
                holder.poll(Duration.ofMillis(200));
                return !holder.assignment().isEmpty();
            });
            CountDownLatch failed = new CountDownLatch(1);
            ServiceHost host = ServiceHost.start(
                    new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(20)),
                    failed::countDown);
            try {
                // When a worker starts with the same instance id: the broker refuses it and its poll loop dies
                WorkerCommand.start(workerConfig(kafka, queue, "worker-a"), host);

                // Then /health and /ready answer 503 naming the worker
                await().atMost(WAIT).until(() -> failed.getCount() == 0);
                HttpResponse<String> health = get(http, host, "/health");
                HttpResponse<String> ready = get(http, host, "/ready");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("worker stopped");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("worker stopped");

                // and the command's exit status is 1, with one line saying why
                StringWriter err = new StringWriter();
                assertThat(host.exitStatus(new PrintWriter(err))).isEqualTo(1);
                assertThat(err.toString().lines()).singleElement().asString().startsWith("jobstream: worker stopped: ");
            } finally {
                host.shutdownNow();
            }
        }
    }

    private static Config workerConfig(KafkaCluster kafka, String queue, String instanceId) {
        return ConfigLoader.forDefinition(WorkerCommand.DEFINITION.and(KafkaSettings.DEFINITION))
                .withOverrides(Map.of(
                        KafkaSettings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
                        ProcessorConfig.QUEUE.name(), queue,
                        ProcessorConfig.INSTANCE_ID.name(), instanceId))
                .load();
    }

    private static HttpResponse<String> get(HttpClient http, ServiceHost host, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(host.adminUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
