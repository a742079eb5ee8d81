package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SchemaRegistryClient;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.SchemaRegistryServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker reads the three wire formats on one topic (Confluent framed, Avro single-object, JSON envelope), whatever
 * it writes itself, and fails bad Confluent input with stable reasons, against an in-process schema registry.
 */
class WireFormatsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private final List<JobProcessor> processors = new ArrayList<>();
    private final Set<String> ran = ConcurrentHashMap.newKeySet();
    private SchemaRegistryServer registry;

    @BeforeEach
    void startRegistry() {
        registry = SchemaRegistryServer.start();
    }

    @AfterEach
    void close() {
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
        registry.close();
    }

    @Test
    void aWorkerWritingSingleObjectRunsConfluentSingleObjectAndJsonJobsFromOneTopic() {
        // Given a worker that writes single-object and knows the registry
        MockKafka kafka = startedWorker(SerdeConfig.singleObject(registryConfig()));

        // When a Confluent job, a single-object job and a JSON envelope arrive on one partition
        kafka.add(partition(0), KEY, confluent(job("confluent")));
        kafka.add(partition(0), KEY, kafka.encode(job("single-object")));
        kafka.add(
                partition(0),
                KEY,
                "{\"type\":\"log\",\"payload\":{\"from\":\"json\"}}".getBytes(StandardCharsets.UTF_8));

        // Then all three ran, and none failed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(ran).containsExactlyInAnyOrder("confluent", "single-object", "{\"from\":\"json\"}");
        assertThat(kafka.failures()).isEmpty();
    }

    @Test
    void anUnknownSchemaIdFailsAsUnknownSchemaAndTheNextJobRuns() {
        // Given a worker that knows the registry
        MockKafka kafka = startedWorker(SerdeConfig.singleObject(registryConfig()));

        // When a Confluent record names an id the registry never issued, and a good job follows
        byte[] unknownId = {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
        kafka.add(partition(0), KEY, unknownId);
        kafka.add(partition(0), KEY, confluent(job("after")));

        // Then the first is failed as UNKNOWN_SCHEMA with its bytes, not retried, and the next job ran
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(ran).containsExactly("after");
        assertThat(kafka.failures())
                .extracting(JobFailure::getReason, JobFailure::getRetryable, JobFailure::getSourceOffset)
                .containsExactly(tuple(FailureReason.UNKNOWN_SCHEMA, false, 0L));
        assertThat(kafka.failures().getFirst().getRawValue().orElseThrow()).isEqualTo(ByteBuffer.wrap(unknownId));
    }

    @Test
    void aConfluentJobWithNoRegistryConfiguredFailsAsUnknownSchemaNamingTheSetting() {
        // Given a worker with no registry
        MockKafka kafka = startedWorker(SerdeConfig.singleObject());

        // When a Confluent-framed job arrives
        kafka.add(partition(0), KEY, confluent(job("framed")));

        // Then it is failed with a reason and a message that say what to set; the worker keeps going
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(ran).isEmpty();
        JobFailure failure = kafka.failures().getFirst();
        assertThat(failure.getReason()).isEqualTo(FailureReason.UNKNOWN_SCHEMA);
        assertThat(failure.getMessage()).contains("no schema registry is configured", SchemaRegistryConfig.URL);
    }

    @Test
    void aRegisteredSchemaThatIsNotAJobFailsAsDecodeError() {
        // Given a worker that knows the registry, and a schema no Job reader can read registered in it
        MockKafka kafka = startedWorker(SerdeConfig.singleObject(registryConfig()));
        Schema other = new Schema.Parser()
                .parse("{\"type\":\"record\",\"name\":\"Invoice\",\"fields\":[{\"name\":\"total\",\"type\":\"int\"}]}");
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(registryConfig())) {
            id = client.register(MockKafka.QUEUE + "-other-value", other);
        }

        // When a record framed with that id arrives
        kafka.add(partition(0), KEY, new byte[] {0, 0, 0, 0, (byte) id, 84});

        // Then it is a DECODE_ERROR, not retried
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(kafka.failures())
                .extracting(JobFailure::getReason, JobFailure::getRetryable)
                .containsExactly(tuple(FailureReason.DECODE_ERROR, false));
        assertThat(kafka.failures().getFirst().getMessage()).contains("INCOMPATIBLE_SCHEMA", "Invoice");
    }

    @Test
    void aMebibyteInAHostileRegisteredJobSchemaFailsAsUnknownSchemaWithoutBeingWalked() throws Exception {
        // Given the Job schema plus an array<null> field registered under the queue's subject (issue 17 §4: skipping
        // its zero-size items was quadratic, 1 MiB took minutes), and a worker that knows the registry
        com.fasterxml.jackson.databind.node.ObjectNode hostile = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(Job.SCHEMA$.toString());
        com.fasterxml.jackson.databind.node.ObjectNode junk =
                hostile.withArray("fields").addObject().put("name", "junk");
        junk.putObject("type").put("type", "array").put("items", "null");
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(registryConfig())) {
            id = client.register(MockKafka.QUEUE + "-value", new Schema.Parser().parse(hostile.toString()));
        }
        MockKafka kafka = startedWorker(SerdeConfig.singleObject(registryConfig()));

        // When three mebibyte records in it arrive, each announcing as many zero-size items as bytes remain
        byte[] framed = hostileRecord(id, 1024 * 1024);
        for (int i = 0; i < 3; i++) {
            kafka.add(partition(0), KEY, framed);
        }

        // Then each is an UNKNOWN_SCHEMA failure, not retried, and the registry was asked for the schema once (the
        // wait only guards against a hang)
        await().atMost(Duration.ofMinutes(2)).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(kafka.failures())
                .extracting(JobFailure::getReason, JobFailure::getRetryable)
                .containsOnly(tuple(FailureReason.UNKNOWN_SCHEMA, false))
                .hasSize(3);
        assertThat(kafka.failures().getFirst().getMessage()).contains("no released version of Job");
        assertThat(registry.requests("GET /schemas/ids/" + id)).isEqualTo(1);
        assertThat(ran).isEmpty();
    }

    /** Confluent header, a job's fields, then {@code array<null>} blocks announcing as many items as bytes remain. */
    private static byte[] hostileRecord(int id, int size) {
        byte[] single = JobSerde.forJob(SerdeConfig.singleObject()).encode(MockKafka.QUEUE, job("x"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        out.write(single, 10, single.length - 10);
        int arrayEnd = size - 1;
        while (out.size() < arrayEnd - 8) {
            long zigzag = (long) (arrayEnd - out.size() - 5) << 1;
            while ((zigzag & ~0x7FL) != 0) {
                out.write((int) ((zigzag & 0x7F) | 0x80));
                zigzag >>>= 7;
            }
            out.write((int) zigzag);
        }
        while (out.size() < arrayEnd) {
            out.write(2);
        }
        out.write(0);
        return out.toByteArray();
    }

    @Test
    void whileTheRegistryIsDownAConfluentJobIsFailedAsRegistryUnavailableWithItsBytesAndThePartitionGoesOn() {
        // Given a Confluent job whose schema the worker has not fetched yet, a worker that itself writes Confluent,
        // and a registry that goes down
        byte[] framed = confluent(job("patient"));
        MockKafka kafka = startedWorker(SerdeConfig.confluent(registryConfig()));
        registry.unavailable(true);

        // When the job arrives, then a single-object job behind it on the same partition
        kafka.add(partition(0), KEY, framed);
        kafka.add(partition(0), KEY, singleObject(job("behind")));

        // Then the partition goes on: the job behind it ran and both offsets are committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(ran).containsExactly("behind");
        // And the Confluent job was tried a few times in place, then failed as REGISTRY_UNAVAILABLE, retryable, with
        // its bytes and decode attempt 1 — written single-object, as the registry could not register JobFailure
        assertThat(registry.requests("GET /schemas/ids/1")).isGreaterThanOrEqualTo(3);
        List<ProducerRecord<byte[], byte[]>> failed = kafka.written(Topics.failed(MockKafka.QUEUE));
        assertThat(failed).hasSize(1);
        assertThat(failed.getFirst().value()[0]).isEqualTo((byte) 0xC3);
        assertThat(JobHeaders.text(failed.getFirst().headers(), JobHeaders.DECODE_ATTEMPT))
                .contains("1");
        JobFailure failure = kafka.failures().getFirst();
        assertThat(failure.getReason()).isEqualTo(FailureReason.REGISTRY_UNAVAILABLE);
        assertThat(failure.getRetryable()).isTrue();
        assertThat(failure.getJob()).isEmpty();
        assertThat(failure.getRawValue().orElseThrow()).isEqualTo(ByteBuffer.wrap(framed));
    }

    @Test
    void aWorkerWritingConfluentWritesItsFailuresConfluentUnderTheFailedTopicsSubject() {
        // Given a worker that writes the Confluent format
        MockKafka kafka = startedWorker(SerdeConfig.confluent(registryConfig()));

        // When a job of a type it has no handler for fails
        kafka.add(
                partition(0),
                KEY,
                confluent(MockKafka.job("k", "nobody_handles", "{}").build()));

        // Then the failure record is Confluent-framed, its schema registered under <queue>.failed-value
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        List<ProducerRecord<byte[], byte[]>> failed = kafka.written(Topics.failed(MockKafka.QUEUE));
        assertThat(failed).hasSize(1);
        assertThat(failed.getFirst().value()[0]).isZero();
        assertThat(registry.requests("POST /subjects/" + Topics.failed(MockKafka.QUEUE) + "-value/versions"))
                .isEqualTo(1);
        try (JobSerde<JobFailure> reader = JobSerde.forFailure(SerdeConfig.singleObject(registryConfig()))) {
            assertThat(reader.decode(
                                    Topics.failed(MockKafka.QUEUE),
                                    null,
                                    failed.getFirst().value())
                            .getReason())
                    .isEqualTo(FailureReason.UNKNOWN_TYPE);
        }
    }

    @Test
    void aJobWrittenStraightToTheQueueWithAFutureNotBeforeWaitsInTheDelayTiersInsteadOfRunningEarly() {
        // Given a worker, and a job a third-party producer wrote to the queue itself, due in 9.5 minutes
        MockKafka kafka = startedWorker(SerdeConfig.singleObject());
        // (9.5 min: well inside the 2m tier's range, whatever the clocks' precision; 10 min would sit on a tier's edge)
        Instant due = Instant.now().plus(Duration.ofSeconds(570)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        kafka.add(
                partition(0),
                KEY,
                singleObject(Job.newBuilder(job("later")).setNotBefore(due).build()));

        // Then it is not run: it goes to the delay tier that fits the wait, due then, with its queue as target
        // (FaultSuiteIT found such jobs running at once, seconds early)
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(ran).isEmpty();
        String tier = Topics.delay(
                MockKafka.QUEUE,
                DelayTiers.defaults().tierFor(Duration.ofMinutes(9)).orElseThrow());
        List<ProducerRecord<byte[], byte[]>> deferred = kafka.written(tier);
        assertThat(deferred).hasSize(1);
        assertThat(JobHeaders.instant(deferred.getFirst().headers(), JobHeaders.DUE_AT))
                .contains(due);
        assertThat(JobHeaders.text(deferred.getFirst().headers(), JobHeaders.TARGET_TOPIC))
                .contains(MockKafka.QUEUE);
        assertThat(kafka.failures()).isEmpty();
    }

    // ---- helpers

    private MockKafka startedWorker(SerdeConfig serdes) {
        MockKafka kafka = new MockKafka(true);
        JobProcessor processor = kafka.builder(MockKafka.config().serde(serdes).build())
                .handle("log", (ctx, payload) -> ran.add(new String(payload, StandardCharsets.UTF_8)))
                .build();
        processors.add(processor);
        processor.start();
        kafka.assign(partition(0));
        return kafka;
    }

    private SchemaRegistryConfig registryConfig() {
        return SchemaRegistryConfig.builder(registry.url())
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build();
    }

    /** {@code job} as a Confluent serializer writes it to the queue, registering under {@code <queue>-value}. */
    private byte[] confluent(Job job) {
        try (JobSerde<Job> producer = JobSerde.forJob(SerdeConfig.confluent(registryConfig()))) {
            return producer.encode(MockKafka.QUEUE, job);
        }
    }

    private static byte[] singleObject(Job job) {
        try (JobSerde<Job> producer = JobSerde.forJob(SerdeConfig.singleObject())) {
            return producer.encode(MockKafka.QUEUE, job);
        }
    }

    private static Job job(String payload) {
        return MockKafka.job("k", "log", "\"\"")
                .setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}
