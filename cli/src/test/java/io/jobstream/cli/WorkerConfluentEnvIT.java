package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.producer.QueueTopics;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.SchemaRegistryServer;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction: jobs in the Confluent wire format (TopicNameStrategy, {@code <queue>-value}) run by the
 * packaged {@code jobstream worker}, configured only through {@code JOBSTREAM_*} environment variables as a container
 * is, against a real broker and the in-process registry; its own failure records follow the Confluent format.
 */
@JobstreamTest
class WorkerConfluentEnvIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final int JOBS = 300;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aWorkerConfiguredByEnvironmentRunsEveryConfluentJobAndWritesItsFailuresConfluent(
            KafkaCluster kafka, TestTopics topics, @TempDir Path dir) throws Exception {
        String queue = topics.unique("confluent");
        try (SchemaRegistryServer registry = SchemaRegistryServer.start();
                Admin admin = Admin.create(kafka.clientProperties())) {
            // Given the queue's topics and a worker configured by environment variables only
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
                            registry.url()));
            Process process = worker.start();
            try {
                await().atMost(WAIT)
                        .failFast("the worker exited", () -> !process.isAlive())
                        .until(() -> Files.readString(dir.resolve("worker.out")).contains("jobstream worker: running"));

                // When 300 Confluent-framed log jobs and one job of a type nobody handles are published
                SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url()));
                Map<String, Object> producerProps = new HashMap<>(kafka.clientProperties());
                producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
                try (JobSerde<Job> jobs = JobSerde.forJob(confluent);
                        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                                producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                    List<Job> all = new ArrayList<>();
                    for (int i = 0; i < JOBS; i++) {
                        all.add(job("log", "{\"n\":" + i + "}"));
                    }
                    all.add(job("nobody_handles", "{}"));
                    for (Job job : all) {
                        producer.send(new ProducerRecord<>(
                                queue, job.getId().getBytes(StandardCharsets.UTF_8), jobs.encode(queue, job)));
                    }
                    producer.flush();
                }

                // Then the worker finishes all of them, and the one failure is UNKNOWN_TYPE, Confluent-framed
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
                    assertThat(failure.getReason()).isEqualTo(FailureReason.UNKNOWN_TYPE);
                }
                assertThat(registry.requests("POST /subjects/" + Topics.failed(queue) + "-value/versions"))
                        .isEqualTo(1);
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Job job(String type, String json) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
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
