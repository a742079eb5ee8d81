package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Records near and past the size limits, against a real broker: none of them blocks its partition. */
@JobstreamTest
class LargeRecordsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int MIB = 1024 * 1024;
    /** What {@code jobstream topics create} gives {@code <queue>.failed} at the default 1 MiB payload limit. */
    private static final int FAILED_LIMIT = MIB + RecordLimits.FAILURE_ALLOWANCE;

    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());
    private static final JobSerde<JobFailure> FAILURES = JobSerde.forFailure(SerdeConfig.singleObject());

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** A failure record as read back: its trimmed header, if any, and the decoded failure. */
    record Written(Optional<String> trimmed, JobFailure failure) {}

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private KafkaProducer<byte[], byte[]> producer(KafkaCluster kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * MIB); // like kcat -X message.max.bytes=...
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        resources.add(producer);
        return producer;
    }

    private static byte[] filled(int size, char fill) {
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) fill);
        return out;
    }

    private static byte[] job(String key, String type, byte[] payload) {
        return JOBS.encode(
                "q",
                Job.newBuilder()
                        .setId(Ulid.next())
                        .setType(type)
                        .setPayload(ByteBuffer.wrap(payload))
                        .setContentType("application/json")
                        .setOrderingKey(key)
                        .setCreatedAt(Instant.now())
                        .build());
    }

    private List<Written> readFailures(KafkaCluster kafka, String queue, int expected) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + queue);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<Written> failures = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(new TopicPartition(Topics.failed(queue), 0)));
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    failures.add(new Written(
                            JobHeaders.text(record.headers(), JobHeaders.TRIMMED),
                            FAILURES.decode(record.topic(), record.headers(), record.value())));
                }
                return failures.size() >= expected;
            });
        }
        return failures;
    }

    @Test
    void largeFailingAndUndecodableRecordsReachTheFailedTopicAndTheJobsBehindThemRun(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue whose topic takes records up to 3 MiB (as a topic made by hand may) and a <queue>.failed
        // with the limit `jobstream topics create` gives it
        String queue = topics.unique("jobs");
        kafka.createTopic(queue, 1, 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(3 * MIB)));
        kafka.createTopic(
                Topics.failed(queue),
                1,
                1,
                Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(FAILED_LIMIT)));
        kafka.createTopic(Topics.events(queue), 1, 1);
        // and, on one partition under one key: a 1.1 MB job whose handler throws, 1.1 MB of bytes that are no job,
        // a 2 MB job whose handler throws (its failure cannot fit <queue>.failed), then a good job
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        producer.send(new ProducerRecord<>(queue, key, job("k", "throws", filled(1_100_000, 'a'))));
        producer.send(new ProducerRecord<>(queue, key, filled(1_100_000, '\u0007')));
        producer.send(new ProducerRecord<>(queue, key, job("k", "throws", filled(2_000_000, 'b'))));
        producer.send(new ProducerRecord<>(queue, key, job("k", "good", "{}".getBytes(StandardCharsets.UTF_8))));
        producer.flush();

        // When a processor with default settings runs them
        List<String> good = new CopyOnWriteArrayList<>();
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .workerId("it-worker")
                .build();
        JobProcessor processor = JobProcessor.builder(config)
                .handle("throws", (ctx, bytes) -> {
                    throw new IllegalStateException("downstream refused");
                })
                .handle("good", (ctx, bytes) -> good.add(ctx.id()))
                .build();
        resources.add(() -> processor.close(Duration.ofSeconds(10)));
        processor.start();

        // Then the committed offset moves past all of them and the good job behind them ran
        await().atMost(WAIT)
                .until(() -> kafka.committedOffsets(config.group()).equals(Map.of(new TopicPartition(queue, 0), 4L)));
        assertThat(good).hasSize(1);

        // And each bad record is in <queue>.failed: whole where it fits, trimmed (naming its record) where not
        List<Written> failures = readFailures(kafka, queue, 3);
        assertThat(failures).hasSize(3);
        Written largeJob = failures.get(0);
        assertThat(largeJob.trimmed()).isEmpty();
        assertThat(largeJob.failure().getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
        assertThat(largeJob.failure().getJob().orElseThrow().getPayload().remaining())
                .isEqualTo(1_100_000);
        assertThat(largeJob.failure().getRetryable()).isTrue();
        Written undecodable = failures.get(1);
        assertThat(undecodable.trimmed()).isEmpty();
        assertThat(undecodable.failure().getReason()).isEqualTo(FailureReason.DECODE_ERROR);
        assertThat(undecodable.failure().getRawValue().orElseThrow().remaining())
                .isEqualTo(1_100_000);
        Written tooLarge = failures.get(2);
        assertThat(tooLarge.trimmed()).contains(queue + "/0/2");
        assertThat(tooLarge.failure().getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
        assertThat(tooLarge.failure().getJob().orElseThrow().getPayload().remaining())
                .isZero();
        assertThat(tooLarge.failure().getRetryable()).isFalse();
        assertThat(tooLarge.failure().getSourceOffset()).isEqualTo(2L);
    }
}
