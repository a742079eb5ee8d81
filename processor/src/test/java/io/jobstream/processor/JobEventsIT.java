package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Job events on a real broker: what lands in {@code <queue>.events}, and a processor refusing a missing topic. */
@JobstreamTest
class JobEventsIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());
    private static final JobSerde<JobEvent> EVENTS = JobSerde.forEvent(SerdeConfig.singleObject());

    private final List<JobProcessor> processors = new ArrayList<>();

    @AfterEach
    void close() {
        processors.forEach(p -> p.close(Duration.ofSeconds(10)));
    }

    private JobProcessor start(KafkaCluster kafka, String queue, EventLevel level) {
        JobProcessor processor = JobProcessor.builder(ProcessorConfig.builder(
                                queue,
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .commitInterval(Duration.ofMillis(100))
                        .events(level)
                        .workerId("events-it")
                        .build())
                .handle("ok", (ctx, bytes) -> {})
                .handle("boom", (ctx, bytes) -> {
                    throw new IllegalStateException("declined");
                })
                .build();
        processors.add(processor);
        return processor.start();
    }

    @Test
    void writesStartedAndOutcomeEventsKeyedByJobIdAtLevelAll(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue with its topics and a processor writing every event
        String queue = topics.create("events", 1);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        start(kafka, queue, EventLevel.ALL);

        // When a job succeeds and one fails
        Job ok = job("ok");
        Job boom = job("boom");
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (Job job : List.of(ok, boom)) {
                producer.send(new ProducerRecord<>(
                                queue, job.getId().getBytes(StandardCharsets.UTF_8), JOBS.encode(queue, job)))
                        .get();
            }
        }

        // Then <queue>.events holds STARTED and SUCCEEDED for one, STARTED and FAILED for the other, keyed by id
        List<ConsumerRecord<byte[], byte[]>> records = read(kafka, Topics.events(queue), 4);
        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JobEvent event = EVENTS.decode(record.topic(), record.headers(), record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.getJobId());
            seen.add(event.getJobId() + ":" + event.getState());
        }
        assertThat(seen)
                .containsExactlyInAnyOrder(
                        ok.getId() + ":" + JobState.STARTED,
                        ok.getId() + ":" + JobState.SUCCEEDED,
                        boom.getId() + ":" + JobState.STARTED,
                        boom.getId() + ":" + JobState.FAILED);
        assertThat(seen.indexOf(ok.getId() + ":" + JobState.STARTED))
                .isLessThan(seen.indexOf(ok.getId() + ":" + JobState.SUCCEEDED));
    }

    @Test
    void refusesToStartWithoutItsEventsTopicNamingIt(KafkaCluster kafka, TestTopics topics) {
        // Given a queue whose .events topic was never created
        String queue = topics.create("no-events", 1);
        kafka.createTopic(Topics.failed(queue), 1, 1);

        // When a processor with outcome events (the default) starts
        JobProcessor processor = start(kafka, queue, EventLevel.OUTCOMES);

        // Then it stops at once with a fault naming the topic
        await().atMost(WAIT).until(() -> !processor.isRunning());
        assertThat(processor.failure())
                .hasValueSatisfying(fault -> assertThat(fault).hasMessageContaining(Topics.events(queue)));
    }

    private static Job job(String type) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(new byte[0]))
                .setCreatedAt(Instant.now())
                .build();
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(KafkaCluster kafka, String topic, int count) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }
}
