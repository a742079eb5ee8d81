package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@JobstreamTest
class BatchHandlerIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());

    record Item(int n) {}

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void runsEveryJobOfABatchTypeOnceInBatchesAndCommitsToTheLogEnd(KafkaCluster kafka, TestTopics topics) {
        // Given 1,000 jobs of a batch type over 4 partitions with 100 keys
        int jobs = 1_000;
        String queue = topics.create("jobs", 4);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        resources.add(producer);
        for (int i = 0; i < jobs; i++) {
            String key = "key-" + (i % 100);
            Job job = Job.newBuilder()
                    .setId(Ulid.next())
                    .setType("bulk_insert")
                    .setPayload(ByteBuffer.wrap(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)))
                    .setContentType("application/json")
                    .setOrderingKey(key)
                    .setCreatedAt(Instant.now())
                    .build();
            producer.send(new ProducerRecord<>(queue, key.getBytes(StandardCharsets.UTF_8), JOBS.encode(queue, job)));
        }
        producer.flush();

        // When a processor runs them with a batch handler of up to 50 jobs
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger largestBatch = new AtomicInteger();
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .workerId("it-worker")
                .concurrency(200)
                .build();
        JobProcessor processor = JobProcessor.builder(config)
                .handleBatch("bulk_insert", Item.class, 50, Duration.ofMillis(20), items -> {
                    largestBatch.accumulateAndGet(items.size(), Math::max);
                    items.forEach(item -> runs.computeIfAbsent(item.payload().n(), n -> new AtomicInteger())
                            .incrementAndGet());
                    return BatchResult.allSucceeded();
                })
                .build();
        resources.add(() -> processor.close(Duration.ofSeconds(10)));
        processor.start();

        // Then every job ran exactly once, batches of more than one happened, and the commits reach the log end
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(jobs);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> kafka.committedOffsets(config.group())
                .equals(end));
        assertThat(runs).hasSize(jobs);
        assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        assertThat(largestBatch.get()).isGreaterThan(1);
        assertThat(processor
                        .meterRegistry()
                        .get("jobstream.batch.size")
                        .tags("queue", queue, "type", "bulk_insert")
                        .summary()
                        .totalAmount())
                .isEqualTo(jobs);
    }
}
