package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobstream topics create} and {@code jobstream topics partitions} against a real broker: a queue's partition
 * count changes only through {@code partitions}, which refuses while jobs or failures are in flight (unless forced) and
 * grows every topic of the queue, and the router's changelog, together.
 */
@JobstreamTest
class TopicsPartitionsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(KafkaCluster kafka, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        String[] all = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(args),
                        java.util.stream.Stream.of("--bootstrap-servers", kafka.bootstrapServers()))
                .toArray(String[]::new);
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    }

    @Test
    void createRefusesToChangeTheCountOfAnExistingQueueAndRecreatesAMissingTopicWithTheQueuesCount(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue created with 2 partitions, whose .dlq was deleted since
        String queue = topics.unique("emails");
        assertThat(run(kafka, "topics", "create", "--queue", queue, "--partitions", "2"))
                .isZero();
        kafka.admin().deleteTopics(List.of(Topics.dlq(queue))).all().get();
        await().atMost(WAIT)
                .until(() -> !kafka.admin().listTopics().names().get().contains(Topics.dlq(queue)));

        // When it is created again asking for 4 partitions
        int exit = run(kafka, "topics", "create", "--queue", queue, "--partitions", "4");

        // Then it fails naming the command that changes partitions, and nothing changed
        assertThat(exit).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString())
                .contains("already has 2 partitions, not 4")
                .contains("jobstream topics partitions --queue " + queue + " --count 4");
        assertThat(partitions(kafka, queue)).isEqualTo(2);

        // When it is created again without a count
        exit = run(kafka, "topics", "create", "--queue", queue, "--json");

        // Then the missing .dlq is back, with the queue's 2 partitions
        assertThat(exit).isZero();
        JsonNode result = JSON.readTree(out.toString());
        assertThat(result.get("partitions").asInt()).isEqualTo(2);
        assertThat(result.get("created")).extracting(JsonNode::asText).containsExactly(Topics.dlq(queue));
        assertThat(partitions(kafka, Topics.dlq(queue))).isEqualTo(2);
    }

    @Test
    void partitionsRefusesWhileJobsWaitAndGrowsEveryTopicButEventsOnceTheWorkersCaughtUp(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue of 2 partitions with 3 jobs its workers have not finished
        String queue = topics.unique("emails");
        assertThat(run(kafka, "topics", "create", "--queue", queue, "--partitions", "2"))
                .isZero();
        for (int i = 0; i < 3; i++) {
            send(kafka, queue, "key-" + i, "{\"type\":\"log\",\"payload\":{}}");
        }

        // When the queue is grown to 4
        int exit = run(kafka, "topics", "partitions", "--queue", queue, "--count", "4");

        // Then it refuses, saying what is in flight and what to do, and changes nothing
        assertThat(exit).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString())
                .startsWith("jobstream: refused: 3 job(s) of " + queue + " not yet finished by group "
                        + Names.workerGroup(queue))
                .contains("jobstream lag --queue " + queue, "--force");
        assertThat(partitions(kafka, queue)).isEqualTo(2);

        // When the workers have finished them (their group committed to the end) and it is asked again
        commitToEnd(kafka, Names.workerGroup(queue), queue);
        exit = run(kafka, "topics", "partitions", "--queue", queue, "--count", "4", "--json");

        // Then every topic of the queue has 4 partitions but .events, which keeps its 2
        assertThat(exit).as(err.toString()).isZero();
        JsonNode result = JSON.readTree(out.toString());
        assertThat(result.get("changed").asBoolean()).isTrue();
        assertThat(result.get("inFlight").get("jobs").asLong()).isZero();
        Map<String, Integer> counts = partitionsOfQueue(kafka, queue);
        assertThat(counts).containsEntry(Topics.events(queue), 2);
        counts.remove(Topics.events(queue));
        assertThat(counts.keySet())
                .contains(
                        queue, Topics.failed(queue), Topics.dlq(queue), Topics.dlqReplayed(queue), queue + ".delay.1s");
        assertThat(counts.values()).containsOnly(4);

        // And asked again, it has nothing to do
        assertThat(run(kafka, "topics", "partitions", "--queue", queue, "--count", "4"))
                .isZero();
        assertThat(out.toString()).contains("already has 4 partitions: nothing to change");
    }

    @Test
    void forceGrowsWhileJobsWaitAndADryRunChangesNothing(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue of 1 partition with a job nobody ran
        String queue = topics.unique("emails");
        assertThat(run(kafka, "topics", "create", "--queue", queue, "--partitions", "1"))
                .isZero();
        send(kafka, queue, "k", "{\"type\":\"log\",\"payload\":{}}");

        // When a forced dry run is asked for
        int exit = run(kafka, "topics", "partitions", "--queue", queue, "--count", "3", "--force", "--dry-run");

        // Then it shows the plan and the job in flight and changes nothing
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("in flight: 1 job(s) on " + queue)
                .contains("to grow  " + queue + " 1 -> 3")
                .contains("kept     " + Topics.events(queue) + " 1")
                .contains("dry run: nothing changed");
        assertThat(partitions(kafka, queue)).isEqualTo(1);

        // When it is forced for real
        exit = run(kafka, "topics", "partitions", "--queue", queue, "--count", "3", "--force");

        // Then it grows
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("grown    " + queue + " 1 -> 3");
        assertThat(partitions(kafka, queue)).isEqualTo(3);
    }

    @Test
    void aSmallerCountIsAUsageErrorAndAMissingQueueAFailure(KafkaCluster kafka, TestTopics topics) {
        // Given a queue of 3 partitions
        String queue = topics.unique("emails");
        assertThat(run(kafka, "topics", "create", "--queue", queue, "--partitions", "3"))
                .isZero();

        // When it is asked to shrink, Then a usage error that says Kafka cannot
        assertThat(run(kafka, "topics", "partitions", "--queue", queue, "--count", "2"))
                .isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).startsWith("jobstream: --count: " + queue + " has 3 partitions");

        // When a queue that does not exist is grown, Then a failure naming how to create it
        assertThat(run(kafka, "topics", "partitions", "--queue", queue + "-nope", "--count", "2"))
                .isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString()).contains("does not exist", "jobstream topics create --queue " + queue + "-nope");
    }

    @Test
    void aRunningRouterKeepsRoutingFailuresFromTheNewPartitions(
            KafkaCluster kafka, TestTopics topics, @TempDir Path stateDir) throws Exception {
        // Given a queue of 1 partition and a dlq-service routing its failures (its router's changelog exists)
        String queue = topics.unique("emails");
        assertThat(run(kafka, "topics", "create", "--queue", queue, "--partitions", "1"))
                .isZero();
        // Kafka Streams notices new partitions at its next metadata refresh: every 5 minutes by default, 2 s here
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .property("metadata.max.age.ms", "2000")
                .build();
        try (DlqService service = DlqService.builder(
                        DlqServiceConfig.builder(List.of(queue))
                                .stateDir(stateDir)
                                .maxPollWait(Duration.ofMillis(200))
                                .build(),
                        settings)
                .build()
                .start()) {
            await().atMost(WAIT).until(service::isRunning);
            sendFailure(kafka, queue);
            await().atMost(WAIT).until(() -> records(kafka, Topics.dlq(queue)) == 1);

            // When the router has caught up and the queue is grown to 4
            await().atMost(WAIT).until(() -> run(kafka, "topics", "partitions", "--queue", queue, "--count", "4") == 0);
            assertThat(partitions(kafka, QueueLayout.routerChangelog(queue))).isEqualTo(4);

            // Then failures written to every partition of .failed are dead-lettered, and the service still runs
            for (int i = 0; i < 12; i++) {
                sendFailure(kafka, queue);
            }
            await().atMost(WAIT).until(() -> records(kafka, Topics.dlq(queue)) == 13);
            assertThat(service.isRunning()).isTrue();
        }
    }

    private static void sendFailure(KafkaCluster kafka, String queue) {
        String id = UUID.randomUUID().toString();
        Job job = Job.newBuilder()
                .setId(id)
                .setType("send_email")
                .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setAttempt(1)
                .setCreatedAt(Instant.now())
                .build();
        JobFailure failure = JobFailure.newBuilder()
                .setJob(job)
                .setReason(FailureReason.HANDLER_ERROR)
                .setErrorClass("java.lang.IllegalStateException")
                .setMessage("boom")
                .setRetryable(false)
                .setFailedAt(Instant.now())
                .setWorkerId("worker-1")
                .setSourceTopic(queue)
                .setSourcePartition(0)
                .setSourceOffset(0L)
                .build();
        String topic = Topics.failed(queue);
        byte[] value = JobSerde.forFailure(SerdeConfig.singleObject()).encode(topic, failure);
        send(kafka, topic, id, value);
    }

    private static void send(KafkaCluster kafka, String topic, String key, String value) {
        send(kafka, topic, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(KafkaCluster kafka, String topic, String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void commitToEnd(KafkaCluster kafka, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        kafka.endOffsets(topic).forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
        kafka.admin().alterConsumerGroupOffsets(group, offsets).all().get();
    }

    /** The committed records on {@code topic} (end offsets would also count transaction markers). */
    private static long records(KafkaCluster kafka, String topic) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    kafka.endOffsets(topic).keySet().stream().toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static int partitions(KafkaCluster kafka, String topic) throws Exception {
        return kafka.admin()
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
    }

    private static Map<String, Integer> partitionsOfQueue(KafkaCluster kafka, String queue) throws Exception {
        Admin admin = kafka.admin();
        List<String> names = admin.listTopics().names().get().stream()
                .filter(name -> name.equals(queue) || name.startsWith(queue + "."))
                .toList();
        return admin.describeTopics(names).allTopicNames().get().entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().partitions().size(), (a, b) -> a, HashMap::new));
    }
}
