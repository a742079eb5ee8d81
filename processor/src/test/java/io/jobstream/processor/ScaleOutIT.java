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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Processors joining and leaving the group mid-stream: at-least-once, nothing lost, duplicates counted. */
@JobstreamTest
class ScaleOutIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    record Step(String key, int seq) {}

    private final List<JobProcessor> processors = new ArrayList<>();

    @AfterEach
    void closeProcessors() {
        processors.forEach(p -> p.close(Duration.ofSeconds(10)));
    }

    @Test
    void scalingFromOneToThreeProcessorsAndBackLosesNoJob(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given 30,000 jobs over 12 partitions with 2,000 keys, each taking about 2 ms
        int partitions = 12;
        int keys = 2_000;
        int jobs = 30_000;
        String queue = topics.create("jobs", partitions);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        Set<String> published = new HashSet<>();
        JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject());
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            int[] nextSeq = new int[keys];
            for (int i = 0; i < jobs; i++) {
                String key = "key-" + (i % keys);
                Job job = Job.newBuilder()
                        .setId(Ulid.next())
                        .setType("step")
                        .setPayload(ByteBuffer.wrap(("{\"key\":\"" + key + "\",\"seq\":" + nextSeq[i % keys]++ + "}")
                                .getBytes(StandardCharsets.UTF_8)))
                        .setContentType("application/json")
                        .setOrderingKey(key)
                        .setCreatedAt(Instant.now())
                        .build();
                published.add(job.getId());
                producer.send(
                        new ProducerRecord<>(queue, key.getBytes(StandardCharsets.UTF_8), serde.encode(queue, job)));
            }
        }
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(200))
                .concurrency(50)
                .build();

        // When one processor starts, two more join a third of the way, and leave two thirds of the way
        JobProcessor first = start(config, runs, total);
        await().atMost(WAIT).until(() -> total.get() >= jobs / 3);
        JobProcessor second = start(config, runs, total);
        JobProcessor third = start(config, runs, total);
        await().atMost(WAIT).until(() -> total.get() >= 2 * jobs / 3);
        second.close(Duration.ofSeconds(10));
        third.close(Duration.ofSeconds(10));

        // Then every published job ran, the committed offsets reach the log end, and duplicates are few
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> kafka.committedOffsets(config.group())
                .equals(end));
        assertThat(first.isRunning()).isTrue();
        assertThat(runs.keySet()).isEqualTo(published);
        int duplicates = runs.values().stream().mapToInt(n -> n.get() - 1).sum();
        System.out.printf("scale-out: jobs=%d runs=%d duplicates=%d%n", jobs, total.get(), duplicates);
        assertThat(duplicates).isLessThanOrEqualTo(3 * config.concurrency() + 3 * partitions);
    }

    private JobProcessor start(ProcessorConfig config, Map<String, AtomicInteger> runs, AtomicInteger total) {
        JobProcessor processor = JobProcessor.builder(config)
                .handle("step", Step.class, (ctx, step) -> {
                    Thread.sleep(2); // the job's work
                    runs.computeIfAbsent(ctx.id(), id -> new AtomicInteger()).incrementAndGet();
                    total.incrementAndGet();
                })
                .build();
        processors.add(processor);
        return processor.start();
    }
}
