package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's {@code jobstream dev}: ready, serves the queue, and Ctrl-C (SIGINT) ends it cleanly. */
class DevCommandIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final Pattern KAFKA_LINE =
            Pattern.compile("^\\s+kafka\\s+(127\\.0\\.0\\.1:\\d+)", Pattern.MULTILINE);
    private static final Pattern ADMIN_LINE = Pattern.compile("^\\s+admin\\s+(http://\\S+?)/health", Pattern.MULTILINE);

    @Test
    void devModeServesTheJobsQueueAndStopsOnCtrlC(@TempDir Path workDir) throws Exception {
        assertThat(JAR).as("the packaged jar (built in the package phase)").exists();
        Path stdout = workDir.resolve("dev.out");
        Path stderr = workDir.resolve("dev.err");
        Process dev = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.toAbsolutePath().toString(),
                        "dev",
                        "--kafka-port",
                        "0",
                        "--admin-port",
                        "0",
                        "--data-dir",
                        workDir.resolve("data").toString()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            // Given jobstream dev has said it is ready
            await().atMost(Duration.ofSeconds(90))
                    .failFast("jobstream dev exited", () -> !dev.isAlive())
                    .until(() -> Files.readString(stdout).contains("jobstream dev: ready"));
            String output = Files.readString(stdout);
            Matcher kafka = KAFKA_LINE.matcher(output);
            assertThat(kafka.find()).as("kafka address in:%n%s", output).isTrue();
            String bootstrap = kafka.group(1);
            assertThat(output).contains("kcat -P -b " + bootstrap + " -t jobs");

            Matcher admin = ADMIN_LINE.matcher(output);
            assertThat(admin.find()).as("admin URL in:%n%s", output).isTrue();

            // When a job (a JSON envelope, as any producer can write) is published to the jobs queue
            RecordMetadata written = publish(bootstrap);
            assertThat(written.topic()).isEqualTo("jobs");

            // Then the worker inside dev runs it with the built-in log handler, as its metrics show
            String metrics = admin.group(1) + "/metrics";
            await().atMost(Duration.ofSeconds(60)).until(() -> httpGet(metrics)
                    .contains("jobstream_jobs_completed_total{queue=\"jobs\",type=\"log\"} 1.0"));

            // When Ctrl-C arrives
            new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).start().waitFor(10, TimeUnit.SECONDS);

            // Then the process ends, leaving nothing behind: no child process, the port closed
            assertThat(dev.waitFor(60, TimeUnit.SECONDS))
                    .as("exited after SIGINT; stderr:%n%s", tail(stderr))
                    .isTrue();
            assertThat(dev.descendants()).isEmpty();
            assertThat(isOpen(bootstrap)).isFalse();
        } finally {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    private static RecordMetadata publish(String bootstrap) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new StringSerializer())) {
            return producer.send(
                            new ProducerRecord<>("jobs", 0, null, "{\"type\":\"log\",\"payload\":{\"to\":\"a@b.c\"}}"))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static String httpGet(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    private static boolean isOpen(String hostPort) {
        String[] parts = hostPort.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
