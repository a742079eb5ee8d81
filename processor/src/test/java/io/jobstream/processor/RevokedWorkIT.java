package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A rebalance against a real broker: a job still running on a partition its processor lost writes nothing. */
@JobstreamTest
class RevokedWorkIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());
    private static final JobSerde<JobFailure> FAILURES = JobSerde.forFailure(SerdeConfig.singleObject());
    private static final JobSerde<JobEvent> EVENTS = JobSerde.forEvent(SerdeConfig.singleObject());

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void closeEverything() throws Exception {
        release.countDown();
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void aJobThatFailsAfterItsPartitionMovedToAnotherWorkerWritesNoFailureAndNoEvent(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given processor A running one job on each of two partitions, both blocked until released, then failing
        String queue = topics.create("revoked", 2);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        Map<String, Integer> partitionOf = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int partition = 0; partition < 2; partition++) {
                Job job = Job.newBuilder()
                        .setId(Ulid.next())
                        .setType("charge")
                        .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                        .setContentType("application/json")
                        .setCreatedAt(Instant.now())
                        .build();
                partitionOf.put(job.getId(), partition);
                producer.send(new ProducerRecord<>(
                                queue,
                                partition,
                                job.getId().getBytes(StandardCharsets.UTF_8),
                                JOBS.encode(queue, job)))
                        .get();
            }
        }
        Set<String> startedOnA = ConcurrentHashMap.newKeySet();
        MeterRegistry registryA = new SimpleMeterRegistry();
        started(JobProcessor.builder(config(kafka, queue, "worker-a"))
                .meterRegistry(registryA)
                .handle("charge", (ctx, bytes) -> {
                    startedOnA.add(ctx.id());
                    release.await();
                    throw new IllegalStateException("failed after the rebalance");
                })
                .build());
        await().atMost(WAIT).until(() -> startedOnA.size() == 2);

        // When processor B joins, a rebalance moves one partition to it (A waits its revoke timeout and gives it up),
        // B runs that partition's job again, and only then A's two handlers fail
        Set<String> ranOnB = ConcurrentHashMap.newKeySet();
        started(JobProcessor.builder(config(kafka, queue, "worker-b"))
                .handle("charge", (ctx, bytes) -> ranOnB.add(ctx.id()))
                .build());
        await().atMost(WAIT).until(() -> !ranOnB.isEmpty());
        String moved = ranOnB.iterator().next();
        String kept = partitionOf.keySet().stream()
                .filter(id -> !id.equals(moved))
                .findFirst()
                .orElseThrow();
        release.countDown();

        // Then A writes the failure of the job whose partition it kept, and nothing for the one that moved: its
        // writes are dropped and counted
        try (Reader failed = new Reader(kafka, Topics.failed(queue))) {
            await().atMost(WAIT).until(() -> {
                List<String> ids = failedIds(failed.poll(), failed.topic);
                return ids.contains(kept) && (ids.contains(moved) || count(registryA, "jobstream.writes.dropped") >= 1);
            });
            assertThat(failedIds(failed.readToEnd(), failed.topic)).containsExactly(kept);
        }
        try (Reader events = new Reader(kafka, Topics.events(queue))) {
            assertThat(events.readToEnd().stream()
                            .map(v -> EVENTS.decode(events.topic, null, v))
                            .filter(event -> event.getJobId().equals(moved))
                            .map(JobEvent::getState))
                    .doesNotContain(JobState.FAILED);
        }
        assertThat(count(registryA, "jobstream.writes.dropped")).isEqualTo(1);
    }

    private static List<String> failedIds(List<byte[]> values, String topic) {
        return values.stream()
                .map(v -> FAILURES.decode(topic, null, v).getJob().orElseThrow().getId())
                .toList();
    }

    private static ProcessorConfig config(KafkaCluster kafka, String queue, String workerId) {
        return ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .revokeTimeout(Duration.ofMillis(500))
                .events(EventLevel.OUTCOMES)
                .workerId(workerId)
                .build();
    }

    private void started(JobProcessor processor) {
        resources.add(() -> processor.close(Duration.ofSeconds(10)));
        processor.start();
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaCluster kafka) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static double count(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** Reads partition 0 of a topic from the beginning, read_committed. */
    private static final class Reader implements AutoCloseable {
        final String topic;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition partition;
        private final List<byte[]> values = new ArrayList<>();

        Reader(KafkaCluster kafka, String topic) {
            this.topic = topic;
            Map<String, Object> props = new HashMap<>(kafka.clientProperties());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }

        /** Polls once (up to 200 ms); every value read so far. */
        List<byte[]> poll() {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            return List.copyOf(values);
        }

        /** Every value up to the partition's end offset now. */
        List<byte[]> readToEnd() {
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(WAIT).until(() -> {
                poll();
                return consumer.position(partition) >= end;
            });
            return List.copyOf(values);
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
