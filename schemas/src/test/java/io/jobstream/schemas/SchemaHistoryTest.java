package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.schemas.internal.AvroCodec;
import io.jobstream.schemas.internal.SchemaHistory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaHistoryTest {
    private static final Map<String, Schema> CURRENT = Map.of(
            "Job", Job.SCHEMA$,
            "JobFailure", JobFailure.SCHEMA$,
            "DeadLetter", DeadLetter.SCHEMA$,
            "JobEvent", JobEvent.SCHEMA$);

    static Stream<Arguments> everyReleasedVersion() {
        SchemaHistory history = SchemaHistory.shipped();
        return history.names().stream().flatMap(name -> {
            List<Schema> versions = history.versions(name);
            return java.util.stream.IntStream.range(0, versions.size())
                    .mapToObj(i -> Arguments.of(name, "v" + (i + 1), versions.get(i)));
        });
    }

    @Test
    void shipsAHistoryForEveryWireRecord() {
        assertThat(SchemaHistory.shipped().names()).containsExactlyInAnyOrderElementsOf(CURRENT.keySet());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyReleasedVersion")
    void everyReleasedVersionIsBackwardAndForwardCompatibleWithTheCurrentSchema(
            String name, String version, Schema released) {
        Schema current = CURRENT.get(name);

        // Backward: the current reader reads what the released version wrote
        SchemaCompatibility.SchemaPairCompatibility backward =
                SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        assertThat(backward.getType())
                .as("%s %s backward: %s", name, version, backward.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);

        // Forward: a reader of the released version reads what the current schema writes
        SchemaCompatibility.SchemaPairCompatibility forward =
                SchemaCompatibility.checkReaderWriterCompatibility(released, current);
        assertThat(forward.getType())
                .as("%s %s forward: %s", name, version, forward.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentSchemas")
    void theCurrentSchemaIsReleased(String name, Schema current) {
        // Given the generated class's schema / Then the newest history file is that schema (a changed .avsc needs a
        // new history file)
        assertThat(SchemaNormalization.parsingFingerprint64(
                        SchemaHistory.shipped().latest(name)))
                .as(
                        "history/%s/v%d.avsc must equal src/main/avro/%s.avsc; add a new version file",
                        name, SchemaHistory.shipped().versions(name).size(), name)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }

    static Stream<Arguments> currentSchemas() {
        return CURRENT.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void anOlderWriterDecodesIntoTheCurrentClass() throws Exception {
        // Given a history with an older Job (v1) before the current one (v2), and a job written with v1
        SchemaHistory history = SchemaHistory.load(getClass().getClassLoader(), "evolution/", List.of("Job"));
        Schema v1 = history.versions("Job").get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "01JD2Y8Z3K4M5N6P7Q8R9S0TVW");
        old.put("type", "send_email");
        old.put("payload", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        old.put("attempt", 3);
        old.put("createdAt", Fixtures.T0.toEpochMilli());
        old.put("headers", Map.of("tenant", "acme"));
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old)
                .array();

        // When a codec with that history decodes it
        AvroCodec<Job> codec = new AvroCodec<>(Job.class, history, null);
        Job job = codec.decode(bytes);

        // Then it is a current Job, the fields v1 lacked at their defaults
        assertThat(job.getId()).isEqualTo("01JD2Y8Z3K4M5N6P7Q8R9S0TVW");
        assertThat(job.getAttempt()).isEqualTo(3);
        assertThat(job.getCreatedAt()).isEqualTo(Fixtures.T0);
        assertThat(job.getHeaders()).containsEntry("tenant", "acme");
        assertThat(job.getContentType()).isEqualTo("application/octet-stream");
        assertThat(job.getOrderingKey()).isEmpty();
        assertThat(job.getTraceParent()).isEmpty();

        // And the shipped history, which never released that v1, calls it an unknown schema
        try (JobSerde<Job> shipped = JobSerde.forJob(SerdeConfig.singleObject())) {
            assertThatThrownBy(() -> shipped.decode("jobs", null, bytes))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNKNOWN_SCHEMA));
        }
    }

    @Test
    void aMissingHistoryIsABuildFault() {
        assertThatThrownBy(() -> SchemaHistory.load(getClass().getClassLoader(), "evolution/", List.of("Nothing")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Nothing");
    }
}
