package io.jobstream.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.cli.Jobstream;
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
    private static final Path JAR = Path.of("target", "jobstream-dev.jar");
    private static final Pattern KAFKA_LINE =
            Pattern.compile("^\\s+kafka\\s+(127\\.0\\.0\\.1:\\d+)", Pattern.MULTILINE);
    private static final Pattern ADMIN_LINE = Pattern.compile("^\\s+admin\\s+(http://\\S+?)/health", Pattern.MULTILINE);

    @Test
    void devModeServesTheJobsQueueAndStopsOnCtrlC(@TempDir Path workDir) throws Exception {
        assertThat(JAR).as("the packaged jar (built in the package phase)").exists();
        Path stdout = workDir.resolve("dev.out");
        Path stderr = workDir.resolve("dev.err");
        Process dev = startDev(workDir, stdout, stderr);
        try {
            // Given jobstream dev has said it is ready
            String output = awaitReady(dev, stdout);
            Matcher kafka = KAFKA_LINE.matcher(output);
            assertThat(kafka.find()).as("kafka address in:%n%s", output).isTrue();
            String bootstrap = kafka.group(1);
            assertThat(output).contains("kcat -P -b " + bootstrap + " -t jobs");

            Matcher admin = ADMIN_LINE.matcher(output);
            assertThat(admin.find()).as("admin URL in:%n%s", output).isTrue();

            // When a job is posted to the HTTP API (no token in dev)
            HttpResponse<String> posted = httpPost(
                    admin.group(1) + "/v1/queues/jobs/jobs", "{\"type\":\"log\",\"payload\":{\"to\":\"a@b.c\"}}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

            // Then the worker inside dev runs it with the built-in log handler, as its metrics show
            String metrics = admin.group(1) + "/metrics";
            await().atMost(Duration.ofSeconds(60)).until(() -> httpGet(metrics)
                    .contains("jobstream_jobs_completed_total{queue=\"jobs\",type=\"log\"} 1.0"));

            // When a job that always fails, with 2 attempts, is published by a plain producer (a JSON envelope)
            publish(bootstrap, "{\"type\":\"fail\",\"payload\":{\"always\":true},\"maxAttempts\":2}");

            // Then after its retry it is dead-lettered (as the dlq-service's metrics say)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> httpGet(metrics).contains("jobstream_dead_letters_total{queue=\"jobs\""));
            // and `jobstream dlq list --json` shows it
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> cli("dlq", "list", "--queue", "jobs", "--json", "--bootstrap-servers", bootstrap)
                            .contains("\"type\":\"fail\""));
            String letters = cli("dlq", "list", "--queue", "jobs", "--json", "--bootstrap-servers", bootstrap);
            assertThat(letters.lines()).hasSize(1);
            assertThat(letters).contains("\"attempts\":2", "\"reason\":\"HANDLER_ERROR\"");

            // And a dry-run replay matches it without replaying
            String dryRun =
                    cli("dlq", "replay", "--queue", "jobs", "--dry-run", "--json", "--bootstrap-servers", bootstrap);
            assertThat(dryRun.lines().toList().getFirst()).contains("\"outcome\":\"WOULD_REPLAY\"");
            assertThat(dryRun.lines().toList().getLast()).contains("\"matched\":1", "\"summary\":true");
            assertThat(cli("dlq", "list", "--queue", "jobs", "--json", "--bootstrap-servers", bootstrap))
                    .contains("\"replayed\":false");

            // And `jobstream lag --json` reports the worker group's partitions of the queue
            String lag = cli("lag", "--queue", "jobs", "--json", "--samples", "1", "--bootstrap-servers", bootstrap);
            assertThat(lag).contains("\"group\":\"jobs.workers\"", "\"topic\":\"jobs\"");

            // When Ctrl-C arrives
            new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).start().waitFor(10, TimeUnit.SECONDS);

            // Then the process ends, leaving nothing behind: no child process, the port closed
            assertThat(dev.waitFor(60, TimeUnit.SECONDS))
                    .as("exited after SIGINT; stderr:%n%s", tail(stderr))
                    .isTrue();
            assertThat(dev.descendants()).isEmpty();
            assertThat(isOpen(bootstrap)).isFalse();
        } finally {
            Files.copy(
                    stderr, Path.of("target", "dev-command-it.err"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    @Test
    void demoModeShowsRetriesDeadLettersAndTheScheduler(@TempDir Path workDir) throws Exception {
        Path stdout = workDir.resolve("demo.out");
        Path stderr = workDir.resolve("demo.err");
        Process dev = startDev(workDir, stdout, stderr, "--demo", "--demo-rate", "20");
        try {
            // Given jobstream dev --demo is ready, saying so
            String output = awaitReady(dev, stdout);
            assertThat(output).contains("  demo     ~20 jobs/s", "  cron     1 schedule(s), leader election in memory");
            Matcher admin = ADMIN_LINE.matcher(output);
            assertThat(admin.find()).as("admin URL in:%n%s", output).isTrue();
            String metrics = admin.group(1) + "/metrics";

            // Then, with nothing published by the test, jobs run, fail, are retried and dead-lettered, alerts are
            // logged, and the scheduler leads
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(httpGet(metrics))
                    .contains(
                            "jobstream_jobs_completed_total{queue=\"jobs\",type=\"log\"}",
                            "jobstream_jobs_completed_total{queue=\"jobs\",type=\"sleep\"}",
                            "jobstream_retries_scheduled_total{queue=\"jobs\"",
                            "jobstream_dead_letters_total{queue=\"jobs\"",
                            "jobstream_scheduler_leader 1.0"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(stderr)
                    .contains("alerts dead letters kind=FIRST queue=jobs type=fail"));

            // When stopped (SIGTERM), Then it ends on its own
            dev.destroy();
            assertThat(dev.waitFor(60, TimeUnit.SECONDS))
                    .as("exited after SIGTERM; stderr:%n%s", tail(stderr))
                    .isTrue();
        } finally {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
            Files.copy(stderr, Path.of("target", "dev-demo-it.err"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Starts the packaged jar's {@code dev} on free ports with its data under {@code workDir}, plus {@code more}. */
    private static Process startDev(Path workDir, Path stdout, Path stderr, String... more) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toAbsolutePath().toString(),
                "dev",
                "--kafka-port",
                "0",
                "--port",
                "0",
                "--data-dir",
                workDir.resolve("data").toString()));
        command.addAll(List.of(more));
        return new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
    }

    /** Waits for dev's ready banner; returns what it printed. */
    private static String awaitReady(Process dev, Path stdout) throws IOException {
        await().atMost(Duration.ofSeconds(90))
                .failFast("jobstream dev exited", () -> !dev.isAlive())
                .until(() -> Files.readString(stdout).contains("Ctrl-C stops everything."));
        return Files.readString(stdout);
    }

    private static String cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = Jobstream.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), args);
        assertThat(exit).as("jobstream %s: %s", String.join(" ", args), err).isZero();
        return out.toString();
    }

    private static HttpResponse<String> httpPost(String url, String json) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static RecordMetadata publish(String bootstrap, String envelope) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new StringSerializer())) {
            return producer.send(new ProducerRecord<>("jobs", 0, null, envelope))
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
