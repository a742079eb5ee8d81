package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.producer.QueueTopics;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dlq-service that cannot work says so: when one of its components stops for good (here its delay forwarder, whose
 * transactional producer another client fenced) the packaged {@code jobstream dlq-service} answers 503 on {@code
 * /health} and {@code /ready} naming it, shuts down and exits with 1, with one line naming the component.
 */
@JobstreamTest
class DlqServiceFailureIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final Pattern ADMIN = Pattern.compile("admin=(http://\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aDlqServiceWhoseDelayForwarderIsFencedAnswers503AndExitsWith1NamingIt(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        // Given a queue with all its topics and a dlq-service process serving it
        String queue = topics.unique("forwarder-fenced");
        Path out = dir.resolve("dlq-service.out");
        Path err = dir.resolve("dlq-service.err");
        try (Admin admin = Admin.create(kafka.clientProperties());
                HttpClient http = HttpClient.newHttpClient()) {
            QueueTopics.using(admin).create(queue, 1, 1);
            Process service = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            JAR.toAbsolutePath().toString(),
                            "dlq-service",
                            "--queue",
                            queue,
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--admin-port",
                            "0")
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                String adminUrl = await().atMost(WAIT)
                        .until(() -> adminUrl(out), Optional::isPresent)
                        .orElseThrow();
                await().atMost(WAIT).until(() -> status(http, adminUrl + "/ready") == 200);
                // its delay forwarder's transactional producer has registered with the brokers
                String forwarderPrefix = Names.delayForwarderGroup(queue) + "-";
                String transactionalId = await().atMost(WAIT)
                        .until(
                                () -> admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                                        .map(TransactionListing::transactionalId)
                                        .filter(id -> id.startsWith(forwarderPrefix))
                                        .findFirst(),
                                Optional::isPresent)
                        .orElseThrow();

                // When another client fences that producer (as a second instance with its id would) and a due job
                // makes the forwarder write
                admin.fenceProducers(List.of(transactionalId)).all().get(30, TimeUnit.SECONDS);
                sendDueJob(kafka, Topics.delay(queue, DelayTiers.defaults().smallest()));

                // Then /health and /ready answer 503 naming the delay forwarder (until the process is gone)
                Seen health = new Seen();
                Seen ready = new Seen();
                await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                    health.look(http, adminUrl + "/health");
                    ready.look(http, adminUrl + "/ready");
                    return health.unavailable != null && ready.unavailable != null;
                });
                assertThat(health.unavailable).contains("delay forwarder " + queue + " stopped");
                assertThat(ready.unavailable).contains("delay forwarder " + queue + " stopped");

                // And the process exits with 1, with one line naming the component and why
                assertThat(service.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("the dlq-service exited")
                        .isTrue();
                assertThat(service.exitValue()).isEqualTo(1);
                assertThat(Files.readAllLines(err))
                        .filteredOn(line -> line.startsWith("jobstream: "))
                        .singleElement()
                        .asString()
                        .startsWith("jobstream: dlq-service stopped: delay forwarder " + queue + " stopped: ");
            } finally {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The body of the first 503 an endpoint answered, while the process still answers. */
    private static final class Seen {
        volatile String unavailable;

        void look(HttpClient http, String url) {
            if (unavailable != null) {
                return;
            }
            try {
                HttpResponse<String> response = get(http, url);
                if (response.statusCode() == 503) {
                    unavailable = response.body();
                }
            } catch (IOException e) {
                // the process is going away; a 503 not seen by now fails the wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sendDueJob(KafkaCluster kafka, String tier) throws Exception {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, Instant.now().minusSeconds(1));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            tier,
                            null,
                            Instant.now().toEpochMilli(),
                            "job-1".getBytes(StandardCharsets.UTF_8),
                            "the job".getBytes(StandardCharsets.UTF_8),
                            headers))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static Optional<String> adminUrl(Path out) throws IOException {
        if (!Files.exists(out)) {
            return Optional.empty();
        }
        Matcher matcher = ADMIN.matcher(Files.readString(out));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static int status(HttpClient http, String url) {
        try {
            return get(http, url).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
