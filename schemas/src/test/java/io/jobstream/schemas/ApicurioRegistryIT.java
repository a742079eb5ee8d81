package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.testkit.ApicurioRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The Confluent wire format against a registry nobody here wrote: Apicurio Registry started by the testkit, reached
 * through its Confluent API at a base URL with a path ({@code http://127.0.0.1:N/apis/ccompat/v7}), with global
 * compatibility BACKWARD as Confluent's default.
 */
class ApicurioRegistryIT {
    private static final AtomicInteger SUBJECTS = new AtomicInteger();
    private static ApicurioRegistry registry;

    @BeforeAll
    static void start() {
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void registersTheJobSchemaOnceAndAnotherClientFetchesItByIdThroughABaseUrlWithAPath(TestInfo test) {
        // Given a client whose registry URL has a path
        String subject = subject(test) + "-value";
        assertThat(registry.confluentUrl()).endsWith("/apis/ccompat/v7");
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentUrl()));
                SchemaRegistryClient other =
                        new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentUrl()))) {
            // When it registers the Job schema, and another client registers it again and looks its id up
            int id = client.register(subject, Job.SCHEMA$);
            int again = other.register(subject, Job.SCHEMA$);
            Schema fetched = other.schemaById(id);

            // Then the registry gave one id, and the schema behind it is the Job schema
            assertThat(again).isEqualTo(id);
            assertThat(SchemaNormalization.parsingFingerprint64(fetched))
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(Job.SCHEMA$));
        }
    }

    @Test
    void aJobEncodedInTheConfluentFormatIsDecodedByASerdeWithItsOwnClient(TestInfo test) {
        // Given two serdes in the Confluent format, each with its own registry client
        String queue = subject(test);
        SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.of(registry.confluentUrl()));
        Job job = Job.newBuilder()
                .setId(Ulid.next())
                .setType("email")
                .setPayload(ByteBuffer.wrap("{\"to\":\"a@example.com\"}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
        try (JobSerde<Job> writer = JobSerde.forJob(confluent);
                JobSerde<Job> reader = JobSerde.forJob(confluent)) {
            // When one encodes a job and the other decodes it
            byte[] bytes = writer.encode(queue, job);
            Job decoded = reader.decode(queue, null, bytes);

            // Then the record is Confluent-framed and the job comes back whole
            assertThat(bytes[0]).as("Confluent magic byte").isZero();
            assertThat(decoded).isEqualTo(job);
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedAsIncompatibleWithTheRegistrysReason(TestInfo test) {
        // Given a subject holding version 1 of a record, under global compatibility BACKWARD
        String subject = subject(test) + "-value";
        Schema v1 = SchemaBuilder.record("Thing")
                .namespace("io.jobstream.test")
                .fields()
                .requiredString("name")
                .endRecord();
        Schema withDefault = SchemaBuilder.record("Thing")
                .namespace("io.jobstream.test")
                .fields()
                .requiredString("name")
                .name("size")
                .type()
                .intType()
                .intDefault(0)
                .endRecord();
        Schema withoutDefault = SchemaBuilder.record("Thing")
                .namespace("io.jobstream.test")
                .fields()
                .requiredString("name")
                .requiredInt("weight")
                .endRecord();
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentUrl()))) {
            client.register(subject, v1);

            // When a compatible and an incompatible version are checked, and the incompatible one is registered
            SchemaRegistryClient.CompatibilityResult compatible = client.testCompatibility(subject, withDefault);
            SchemaRegistryClient.CompatibilityResult incompatible = client.testCompatibility(subject, withoutDefault);

            // Then the check says which is which and why, and registering the incompatible one is a 409 error
            assertThat(compatible.compatible()).isTrue();
            assertThat(incompatible.compatible()).isFalse();
            assertThat(incompatible.messages())
                    .anySatisfy(message -> assertThat(message).contains("weight"));
            assertThatThrownBy(() -> client.register(subject, withoutDefault))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                    })
                    .hasMessageContaining("incompatible");
        }
    }

    @Test
    void aRecordWithASchemaIdTheRegistryDoesNotKnowFailsAsUnknownSchema() {
        // Given a Confluent-framed record naming schema id 2147483647, which the registry never gave out
        byte[] record = {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 2, 'x'};
        try (JobSerde<Job> serde =
                JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.confluentUrl())))) {
            // When it is decoded, then the failure is UNKNOWN_SCHEMA, not retriable
            assertThatThrownBy(() -> serde.decode("jobs", null, record))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
                        assertThat(e.reason().retriable()).isFalse();
                    });
        }
    }

    @Test
    void aRecordWhoseRegisteredSchemaIsNotAJobFailsAsIncompatibleSchema(TestInfo test) {
        // Given a schema no Job reader can read, registered in the registry
        Schema invoice = SchemaBuilder.record("Invoice")
                .namespace("io.jobstream.test")
                .fields()
                .requiredInt("total")
                .endRecord();
        int id;
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentUrl()))) {
            id = client.register(subject(test) + "-value", invoice);
        }
        byte[] record = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id, 84};
        try (JobSerde<Job> serde =
                JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.confluentUrl())))) {
            // When a record framed with its id is decoded as a Job, then it is INCOMPATIBLE_SCHEMA, not retriable
            assertThatThrownBy(() -> serde.decode("jobs", null, record))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
                        assertThat(e.reason().retriable()).isFalse();
                    })
                    .hasMessageContaining("Invoice");
        }
    }

    @Test
    void whileTheRegistryIsDownAConfluentRecordIsRegistryUnavailableWhichIsRetriable() {
        // Given a Job registered in a registry of its own, which then stops
        byte[] record;
        String url;
        try (ApicurioRegistry own = ApicurioRegistry.start();
                JobSerde<Job> writer =
                        JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(own.confluentUrl())))) {
            url = own.confluentUrl();
            record = writer.encode(
                    "jobs",
                    Job.newBuilder()
                            .setId(Ulid.next())
                            .setType("email")
                            .setPayload(ByteBuffer.wrap(new byte[] {1}))
                            .setCreatedAt(Instant.now())
                            .build());
        }
        try (JobSerde<Job> reader = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(url)))) {
            // When a reader that has not fetched the schema yet decodes the record, then it may retry later
            assertThatThrownBy(() -> reader.decode("jobs", null, record))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.REGISTRY_UNAVAILABLE);
                        assertThat(e.reason().retriable()).isTrue();
                    });
        }
    }

    private static String subject(TestInfo test) {
        return "apicurio-" + test.getTestMethod().orElseThrow().getName().toLowerCase() + "-"
                + SUBJECTS.incrementAndGet();
    }
}
