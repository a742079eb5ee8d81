package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** A plain producer that knows nothing of Avro — kcat — publishes a job as a JSON envelope to a real broker. */
@JobstreamTest
class JsonEnvelopeKcatIT {

    @Test
    void jsonEnvelopeProducedByKcatDecodesIntoAJob(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue topic on a real broker
        String topic = topics.create("jobs", 1);

        // When kcat produces the README's example envelope
        runKcat(kafka.bootstrapServers(), topic, "{\"type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\"}}\n");

        // Then the record read back decodes into a Job with a deterministic id
        ConsumerRecord<byte[], byte[]> record = readOne(kafka, topic);
        try (JobDecoder decoder = JobDecoder.create(SerdeConfig.singleObject())) {
            Job job = decoder.decode(record);
            assertThat(job.getType()).isEqualTo("send_email");
            assertThat(StandardCharsets.UTF_8.decode(job.getPayload()).toString())
                    .isEqualTo("{\"to\":\"a@b.c\"}");
            assertThat(job.getContentType()).isEqualTo("application/json");
            assertThat(job.getId()).isEqualTo(JobDecoder.derivedId(topic, record.partition(), record.offset()));
            assertThat(Ulid.isValid(job.getId())).isTrue();
            assertThat(job.getAttempt()).isEqualTo(1);
        }
    }

    private static void runKcat(String bootstrap, String topic, String input) throws IOException, InterruptedException {
        Path log = Files.createTempFile("kcat", ".log");
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", bootstrap, "-t", topic)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            try (OutputStream stdin = kcat.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(kcat.waitFor(60, TimeUnit.SECONDS))
                    .as("kcat finished producing")
                    .isTrue();
            assertThat(kcat.exitValue())
                    .as("kcat exit code; output: %s", Files.readString(log))
                    .isZero();
        } finally {
            kcat.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static ConsumerRecord<byte[], byte[]> readOne(KafkaCluster kafka, String topic) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        assertThat(records).hasSize(1);
        return records.get(0);
    }
}
