package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.ApicurioRegistry;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code jobstream worker}, configured only through {@code JOBSTREAM_*} environment variables, against a
 * schema registry nobody here wrote: Apicurio Registry's Confluent API, at a base URL with a path. Jobs published by
 * {@link JobPublisher} in the Confluent format all run; a record naming a schema id the registry never issued is
 * failed as {@code UNKNOWN_SCHEMA}, and the failure record is itself Confluent-framed under its own subject.
 */
@JobstreamTest
class WorkerApicurioRegistryIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final int JOBS = 50;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aWorkerReadingFromApicurioRunsEveryPublishedConfluentJobAndFailsAnUnknownSchemaId(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        String queue = topics.unique("apicurio");
        try (ApicurioRegistry registry = ApicurioRegistry.start();
                Admin admin = Admin.create(kafka.clientProperties())) {
            // Given the queue's topics and a worker configured by environment variables, the registry URL with a path
            QueueTopics.using(admin).create(queue, 3, 1);
            ProcessBuilder worker = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            JAR.toAbsolutePath().toString(),
                            "worker")
                    .redirectOutput(dir.resolve("worker.out").toFile())
                    .redirectError(dir.resolve("worker.err").toFile());
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
                        .until(() -> Files.readString(dir.resolve("worker.out")).contains("jobstream worker: running"));

                // When JobPublisher publishes log jobs in the Confluent format, and another producer sends a
                // Confluent-framed record naming schema id 2147483647
                SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.of(registry.confluentUrl()));
                KafkaSettings settings = KafkaSettings.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .build();
                try (JobPublisher publisher = JobPublisher.create(
                        PublisherConfig.builder().serde(confluent).build(), settings)) {
                    List<Job> jobs = new ArrayList<>();
                    for (int i = 0; i < JOBS; i++) {
                        jobs.add(Jobs.builder("log")
                                .jsonPayload("{\"n\":" + i + "}")
                                .build());
                    }
                    assertThat(publisher.publishAll(queue, jobs).get(60, TimeUnit.SECONDS))
                            .hasSize(JOBS)
                            .allMatch(outcome -> outcome instanceof PublishOutcome.Published);
                }
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
                    byte[] unknownId = {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 2, 'x'};
                    producer.send(new ProducerRecord<>(queue, "unknown".getBytes(StandardCharsets.UTF_8), unknownId))
                            .get(30, TimeUnit.SECONDS);
                }

                // Then the worker has finished every record, and the only failure is the unknown schema id, written
                // Confluent-framed and decodable through the same registry
                await().atMost(WAIT)
                        .failFast("the worker exited", () -> !process.isAlive())
                        .until(() -> kafka.committedOffsets(Names.workerGroup(queue)).values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                == JOBS + 1);
                List<ConsumerRecord<byte[], byte[]>> failed = readAll(kafka, Topics.failed(queue), 1);
                assertThat(failed).hasSize(1);
                assertThat(failed.getFirst().value()[0])
                        .as("Confluent magic byte")
                        .isZero();
                try (JobSerde<JobFailure> failures = JobSerde.forFailure(confluent)) {
                    JobFailure failure = failures.decode(
                            Topics.failed(queue),
                            failed.getFirst().headers(),
                            failed.getFirst().value());
                    assertThat(failure.getReason()).isEqualTo(FailureReason.UNKNOWN_SCHEMA);
                    assertThat(failure.getRetryable()).isFalse();
                }

                // And the registry holds the job schema and the failure schema under their TopicNameStrategy subjects
                assertThat(subjects(registry))
                        .contains("\"" + queue + "-value\"", "\"" + Topics.failed(queue) + "-value\"");
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The body of {@code GET /subjects}: a JSON array of subject names. */
    private static String subjects(ApicurioRegistry registry) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/subjects"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }

    /** Every record of {@code topic}, once at least {@code expected} arrived. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaCluster kafka, String topic, int expected) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = kafka.partitions(topic).keySet().stream()
                    .map(p -> new TopicPartition(topic, p))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}
