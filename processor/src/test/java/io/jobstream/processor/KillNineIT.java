package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGKILL of a processor running in a child JVM: no job lost, nothing committed past an unfinished job. */
@JobstreamTest
class KillNineIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private Process child;
    private JobProcessor survivor;

    @AfterEach
    void stopEverything() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (survivor != null) {
            survivor.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void killingAProcessorMidStreamLosesNoJobAndCommitsNothingPastTheUnfinishedOne(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given 3 partitions with 2,000 jobs each, and on partition 0 a job that blocks forever at offset 500
        int partitions = 3;
        String queue = topics.create("jobs", partitions);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        String runsTopic = topics.create("runs");
        JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject());
        Set<String> published = new HashSet<>();
        long blockOffset = -1;
        String blockId = null;
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 2_000; i++) {
                for (int p = 0; p < partitions; p++) {
                    String type = p == 0 && i == 500 ? "block" : "work";
                    Job job = Job.newBuilder()
                            .setId(Ulid.next())
                            .setType(type)
                            .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                            .setCreatedAt(Instant.now())
                            .build();
                    published.add(job.getId());
                    var sent = producer.send(new ProducerRecord<>(
                            queue, p, job.getId().getBytes(StandardCharsets.UTF_8), serde.encode(queue, job)));
                    if (type.equals("block")) {
                        producer.flush();
                        RecordMetadata metadata = sent.get();
                        blockOffset = metadata.offset();
                        blockId = job.getId();
                    }
                }
            }
        }

        // When a processor in a child JVM runs them, and is SIGKILLed once the blocking job runs
        child = startChild(kafka.bootstrapServers(), queue, runsTopic);
        Map<String, Integer> childRuns = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> reader = reader(kafka, runsTopic)) {
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    childRuns.merge(new String(record.value(), StandardCharsets.UTF_8), 1, Integer::sum);
                }
                return childRuns.keySet().stream().anyMatch(run -> run.startsWith("block:"))
                        && childRuns.size() > 1_000;
            });
        }
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
        long recordedRuns = kafka.endOffsets(runsTopic).values().iterator().next();
        try (KafkaConsumer<byte[], byte[]> reader = reader(kafka, runsTopic)) {
            childRuns.clear();
            List<String> all = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    all.add(new String(record.value(), StandardCharsets.UTF_8));
                }
                return all.size() >= recordedRuns;
            });
            all.forEach(run -> childRuns.merge(run, 1, Integer::sum));
        }

        // Then nothing on partition 0 was committed past the blocked job
        TopicPartition blocked = new TopicPartition(queue, 0);
        Map<TopicPartition, Long> committedAfterKill = kafka.committedOffsets(Names.workerGroup(queue));
        assertThat(committedAfterKill.getOrDefault(blocked, 0L)).isLessThanOrEqualTo(blockOffset);

        // When a new processor takes over the group
        Map<String, Integer> survivorRuns = new ConcurrentHashMap<>();
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .build();
        survivor = JobProcessor.builder(config)
                .handle("work", (ctx, bytes) -> survivorRuns.merge(ctx.id(), 1, Integer::sum))
                .handle("block", (ctx, bytes) -> survivorRuns.merge(ctx.id(), 1, Integer::sum))
                .build()
                .start();

        // Then it finishes the rest, the blocked job included, and no published job was lost
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> kafka.committedOffsets(config.group())
                .equals(end));
        Set<String> ran = new HashSet<>(survivorRuns.keySet());
        childRuns.keySet().forEach(run -> ran.add(run.substring(run.indexOf(':') + 1)));
        assertThat(ran).containsAll(published);
        assertThat(survivorRuns).containsKey(blockId);
        long duplicates = childRuns.keySet().stream()
                .map(run -> run.substring(run.indexOf(':') + 1))
                .filter(survivorRuns::containsKey)
                .count();
        System.out.printf(
                "kill -9: jobs=%d child_runs_seen=%d survivor_runs=%d duplicates=%d%n",
                published.size(), childRuns.size(), survivorRuns.size(), duplicates);
    }

    private static Process startChild(String bootstrap, String queue, String runsTopic) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createDirectories(Path.of("target", "processor-child-logs"))
                .resolve(queue + ".log");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ProcessorChild.class.getName(),
                bootstrap,
                queue,
                runsTopic));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static KafkaConsumer<byte[], byte[]> reader(KafkaCluster kafka, String topic) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(consumer.assignment());
        return consumer;
    }
}
