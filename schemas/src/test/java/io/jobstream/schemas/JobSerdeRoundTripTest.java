package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.testkit.SchemaRegistryServer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JobSerdeRoundTripTest {
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = SchemaRegistryServer.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    static List<SpecificRecord> records() {
        return Fixtures.everyRecord();
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void roundTripsInSingleObjectEncoding(T record) {
        // Given a serde writing the default format
        try (JobSerde<T> serde = Fixtures.serdeFor(record, SerdeConfig.singleObject(), null)) {
            // When the record goes through the Kafka serializer and deserializer
            byte[] bytes = serde.serializer().serialize("emails", record);
            T decoded = serde.deserializer().deserialize("emails", bytes);

            // Then it comes back equal, framed as Avro single-object encoding with the current fingerprint
            assertThat(decoded).isEqualTo(record);
            assertThat(bytes[0]).isEqualTo((byte) 0xC3);
            assertThat(bytes[1]).isEqualTo((byte) 0x01);
            long fingerprint = ByteBuffer.wrap(bytes, 2, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(record.getSchema()));
        }
    }

    @ParameterizedTest
    @MethodSource("records")
    <T extends SpecificRecord> void roundTripsInConfluentWireFormat(T record) {
        // Given a producer-side serde and a separate consumer-side serde, both talking to the registry
        SerdeConfig config = SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url()));
        try (JobSerde<T> producer = Fixtures.serdeFor(record, config, null);
                JobSerde<T> consumer = Fixtures.serdeFor(
                        record, SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())), null)) {
            String topic = "roundtrip." + record.getSchema().getName().toLowerCase(java.util.Locale.ROOT);

            // When the producer writes and the consumer reads
            byte[] bytes = producer.serializer().serialize(topic, record);
            T decoded = consumer.deserializer().deserialize(topic, bytes);

            // Then the record comes back equal, framed as 00 + schema id registered under <topic>-value
            assertThat(decoded).isEqualTo(record);
            assertThat(bytes[0]).isZero();
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            assertThat(registry.requests("GET /schemas/ids/" + id)).isGreaterThanOrEqualTo(1);
            assertThat(registry.requests("POST /subjects/" + topic + "-value/versions"))
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void keySerdeRegistersUnderTheKeySubject() {
        // Given a Confluent serde configured as a key serde
        try (JobSerde<JobEvent> serde =
                JobSerde.forEvent(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())))) {
            serde.configure(java.util.Map.of(), true);

            // When it serializes
            serde.serializer().serialize("keyed", Fixtures.event());

            // Then the schema went to <topic>-key
            assertThat(registry.requests("POST /subjects/keyed-key/versions")).isEqualTo(1);
            assertThat(registry.requests("POST /subjects/keyed-value/versions")).isZero();
        }
    }

    @Test
    void decodesAJobWrittenByAvrosOwnMessageEncoder() throws Exception {
        // Given jobs encoded by plain Avro, with the generated encoder and with a hand-made one
        Job job = Fixtures.job();
        byte[] generated = Job.getEncoder().encode(job).array();
        byte[] handMade = new BinaryMessageEncoder<Job>(SpecificData.getForClass(Job.class), Job.SCHEMA$)
                .encode(job)
                .array();
        byte[] defaultModel = new BinaryMessageEncoder<Job>(SpecificData.get(), Job.SCHEMA$)
                .encode(job)
                .array();

        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            // When JobSerde decodes them
            // Then they are the same jobs, and JobSerde's own bytes are identical to Avro's
            assertThat(serde.deserializer().deserialize("jobs", generated)).isEqualTo(job);
            assertThat(serde.deserializer().deserialize("jobs", handMade)).isEqualTo(job);
            assertThat(serde.deserializer().deserialize("jobs", defaultModel)).isEqualTo(job);
            assertThat(serde.serializer().serialize("jobs", job)).isEqualTo(generated);
        }
    }

    @Test
    void avrosOwnMessageDecoderReadsWhatJobSerdeWrites() throws Exception {
        // Given a job written by JobSerde
        Job job = Fixtures.job();
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            byte[] bytes = serde.encode("jobs", job);

            // When plain Avro decodes it
            // Then it is the same job
            assertThat(Job.getDecoder().decode(bytes)).isEqualTo(job);
        }
    }

    @Test
    void nullIsATombstoneBothWays() {
        // Given a serde
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            Serializer<Job> serializer = serde.serializer();
            Deserializer<Job> deserializer = serde.deserializer();

            // When null goes through / Then null comes out
            assertThat(serializer.serialize("jobs", null)).isNull();
            assertThat(deserializer.deserialize("jobs", null)).isNull();
        }
    }

    @Test
    void emptyValueIsEmpty() {
        try (JobSerde<JobEvent> serde = JobSerde.forEvent(SerdeConfig.singleObject())) {
            assertThatThrownBy(() -> serde.deserializer().deserialize("jobs.events", new byte[0]))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.EMPTY));
        }
    }

    @Test
    void aFailureIsNotAJob() {
        // Given a JobFailure in single-object encoding
        byte[] failure;
        try (JobSerde<JobFailure> failures = JobSerde.forFailure(SerdeConfig.singleObject())) {
            failure = failures.encode("emails.failed", Fixtures.failure());
        }

        // When a Job serde decodes it
        // Then it is an unknown schema, naming what it is
        try (JobSerde<Job> jobs = JobSerde.forJob(SerdeConfig.singleObject())) {
            assertThatThrownBy(() -> jobs.decode("emails", null, failure))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
                        assertThat(e.isRetriable()).isFalse();
                    })
                    .hasMessageContaining("JobFailure");
        }
    }

    @Test
    void theJsonEnvelopeIsOnlyForJobs() {
        try (JobSerde<DeadLetter> serde = JobSerde.forDeadLetter(SerdeConfig.singleObject())) {
            byte[] json = "{\"type\":\"x\",\"payload\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThatThrownBy(() -> serde.deserializer().deserialize("emails.dlq", json))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNKNOWN_FORMAT));
        }
    }

    @Test
    void confluentBytesWithoutARegistryAreAnUnknownSchema() {
        // Given Confluent-framed bytes and a serde with no registry
        byte[] bytes;
        try (JobSerde<Job> producer = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())))) {
            bytes = producer.encode("noregistry", Fixtures.job());
        }
        try (JobSerde<Job> consumer = JobSerde.forJob(SerdeConfig.singleObject())) {
            // When it decodes / Then the schema is unknown and the message names the setting
            assertThatThrownBy(() -> consumer.decode("noregistry", null, bytes))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNKNOWN_SCHEMA))
                    .hasMessageContaining(SchemaRegistryConfig.URL);
        }
    }

    @Test
    void aRecordMissingARequiredFieldIsAnEncodeFault() {
        // Given a job whose required type was cleared after building
        Job job = Fixtures.job();
        job.setType(null);
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            // When it is serialized / Then it is a JobEncodeException, not an Avro exception
            assertThatThrownBy(() -> serde.serializer().serialize("jobs", job))
                    .isInstanceOf(JobEncodeException.class)
                    .isInstanceOf(JobstreamException.class);
        }
    }

    @Test
    void onlyWireRecordsGetASerde() {
        assertThatThrownBy(() -> JobSerde.of(FailureRecord.class, SerdeConfig.singleObject(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FailureRecord");
    }

    @Test
    void trailingBytesAreRejected() {
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            byte[] bytes = serde.encode("jobs", Fixtures.job());
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThatThrownBy(() -> serde.decode("jobs", null, longer))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.INVALID_FIELD));
        }
    }
}
