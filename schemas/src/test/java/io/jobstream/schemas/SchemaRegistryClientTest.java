package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.testkit.SchemaRegistryServer;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {
    private SchemaRegistryServer registry;

    @BeforeEach
    void start() throws Exception {
        registry = SchemaRegistryServer.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void registersOncePerSubjectAndSchemaAndFetchesEachIdOnce() {
        // Given a client
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
                SchemaRegistryClient other = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()))) {
            // When it registers the same schema three times and another client fetches its id three times
            int id = client.register("emails-value", Job.SCHEMA$);
            assertThat(client.register("emails-value", Job.SCHEMA$)).isEqualTo(id);
            assertThat(client.register("emails-value", Job.SCHEMA$)).isEqualTo(id);
            Schema fetched = other.schemaById(id);
            other.schemaById(id);
            other.schemaById(id);

            // Then one POST and one GET reached the registry, and the schema is the same
            assertThat(registry.requests("POST /subjects/emails-value/versions"))
                    .isEqualTo(1);
            assertThat(registry.requests("GET /schemas/ids/" + id)).isEqualTo(1);
            assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(fetched))
                    .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(Job.SCHEMA$));
        }
    }

    @Test
    void decodingManyRecordsFetchesEachSchemaIdOnce() throws Exception {
        // Given 1,000 jobs and 1,000 events written in the Confluent format
        List<byte[]> jobs = new ArrayList<>();
        List<byte[]> events = new ArrayList<>();
        try (JobSerde<Job> jobWriter = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())));
                JobSerde<JobEvent> eventWriter =
                        JobSerde.forEvent(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())))) {
            for (int i = 0; i < 1_000; i++) {
                jobs.add(jobWriter.encode("emails", Fixtures.job()));
                events.add(eventWriter.encode("emails.events", Fixtures.event()));
            }
        }
        int jobId = ByteBuffer.wrap(jobs.get(0), 1, 4).getInt();
        int eventId = ByteBuffer.wrap(events.get(0), 1, 4).getInt();

        // When fresh decoders read them all, from four threads at once
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (JobSerde<Job> jobReader =
                        JobSerde.forJob(SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())));
                JobSerde<JobEvent> eventReader =
                        JobSerde.forEvent(SerdeConfig.singleObject(SchemaRegistryConfig.of(registry.url())))) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                work.add(threads.submit(() -> {
                    jobs.forEach(bytes ->
                            assertThat(jobReader.decode("emails", null, bytes)).isEqualTo(Fixtures.job()));
                    events.forEach(bytes -> assertThat(eventReader.decode("emails.events", null, bytes))
                            .isEqualTo(Fixtures.event()));
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }

        // Then each schema id was fetched exactly once, and each schema registered once
        assertThat(registry.requests("GET /schemas/ids/" + jobId)).isEqualTo(1);
        assertThat(registry.requests("GET /schemas/ids/" + eventId)).isEqualTo(1);
        assertThat(registry.requests("POST /subjects/emails-value/versions")).isEqualTo(1);
        assertThat(registry.requests("POST /subjects/emails.events-value/versions"))
                .isEqualTo(1);
    }

    @Test
    void anUnknownIdIsAnUnknownSchemaFromTheRegistrysErrorCode() {
        // Given Confluent-framed bytes naming an id the registry never issued
        byte[] bytes = {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
                JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject(), client)) {
            // When the client fetches it directly / Then the registry's 40403 comes through
            assertThatThrownBy(() -> client.schemaById(0x7f7f))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(404);
                        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                    });

            // And decoding says UNKNOWN_SCHEMA, not retriable
            assertThatThrownBy(() -> serde.decode("emails", null, bytes))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
                        assertThat(e.isRetriable()).isFalse();
                    });
        }
    }

    @Test
    void aRegistryThatIsDownMakesDecodingRetriablyUnavailable() throws Exception {
        // Given Confluent bytes whose schema a fresh decoder has never seen, and then the registry stops
        byte[] bytes;
        try (JobSerde<Job> writer = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.of(registry.url())))) {
            bytes = writer.encode("emails", Fixtures.job());
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder(registry.url())
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build();
        registry.close();

        // When a decoder reads them
        try (JobSerde<Job> reader = JobSerde.forJob(SerdeConfig.singleObject(config))) {
            // Then it is REGISTRY_UNAVAILABLE, retriable, caused by the client's retriable exception
            assertThatThrownBy(() -> reader.decode("emails", null, bytes))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.REGISTRY_UNAVAILABLE);
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.getCause()).isInstanceOf(SchemaRegistryUnavailableException.class);
                        assertThat(e.getCause()).isInstanceOf(RetriableJobstreamException.class);
                    });
        }
    }

    @Test
    void aPortNobodyListensOnIsUnavailableForEveryCall() throws Exception {
        // Given a registry URL on a closed port
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder("http://127.0.0.1:" + port)
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build();
        try (SchemaRegistryClient client = new SchemaRegistryClient(config)) {
            // When any call is made / Then it is retriably unavailable
            assertThatThrownBy(() -> client.register("emails-value", Job.SCHEMA$))
                    .isInstanceOf(SchemaRegistryUnavailableException.class);
            assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
            assertThatThrownBy(() -> client.testCompatibility("emails-value", Job.SCHEMA$))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .satisfies(e ->
                            assertThat(((JobstreamException) e).isRetriable()).isTrue());
        }
    }

    @Test
    void failsOverToTheNextUrlWhenTheFirstIsDown() throws Exception {
        // Given a dead URL before the live one
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.of("http://127.0.0.1:" + deadPort + "," + registry.url());
        try (SchemaRegistryClient client = new SchemaRegistryClient(config)) {
            // When registering / Then the live registry answers
            assertThat(client.register("emails-value", Job.SCHEMA$)).isPositive();
        }
    }

    @Test
    void sendsBasicAuthAndTheRegistryMediaType() throws Exception {
        // Given a registry that requires basic auth
        registry.close();
        registry = SchemaRegistryServer.startRequiringBasicAuth("jobs:s3cret");

        // When a client with those credentials registers and fetches
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                .basicAuth("jobs:s3cret")
                .build())) {
            int id = client.register("emails-value", JobEvent.SCHEMA$);
            try (SchemaRegistryClient fresh = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                    .basicAuth("jobs:s3cret")
                    .build())) {
                fresh.schemaById(id);
            }
        }

        // Then every request carried the Authorization header
        String expected = "Basic " + Base64.getEncoder().encodeToString("jobs:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(registry.authorizations()).hasSize(2).containsOnly(expected);
        assertThat(registry.contentTypes()).containsExactly(SchemaRegistryClient.CONTENT_TYPE);
    }

    @Test
    void wrongCredentialsAreARegistryErrorAndMakeDecodingUnavailable() throws Exception {
        // Given a registry requiring auth, bytes it knows, and a reader with wrong credentials
        registry.close();
        registry = SchemaRegistryServer.startRequiringBasicAuth("jobs:s3cret");
        byte[] bytes;
        try (JobSerde<Job> writer = JobSerde.forJob(SerdeConfig.confluent(SchemaRegistryConfig.builder(registry.url())
                .basicAuth("jobs:s3cret")
                .build()))) {
            bytes = writer.encode("emails", Fixtures.job());
        }
        SchemaRegistryConfig wrong = SchemaRegistryConfig.builder(registry.url())
                .basicAuth("jobs:wrong")
                .build();
        try (SchemaRegistryClient client = new SchemaRegistryClient(wrong);
                JobSerde<Job> reader = JobSerde.forJob(SerdeConfig.singleObject(wrong), client)) {
            // When it registers / Then the 401 comes through
            assertThatThrownBy(() -> client.register("emails-value", Job.SCHEMA$))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus())
                            .isEqualTo(401));

            // And decoding is retriably unavailable (fixing credentials makes the same bytes decode)
            assertThatThrownBy(() -> reader.decode("emails", null, bytes))
                    .isInstanceOfSatisfying(JobDecodeException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.REGISTRY_UNAVAILABLE));
        }
    }

    @Test
    void checksCompatibilityAgainstTheLatestVersion() {
        // Given a subject holding v1 of a record
        Schema v1 = SchemaBuilder.record("Thing")
                .namespace("test")
                .fields()
                .requiredString("a")
                .endRecord();
        Schema addsDefaulted = SchemaBuilder.record("Thing")
                .namespace("test")
                .fields()
                .requiredString("a")
                .name("b")
                .type()
                .intType()
                .intDefault(0)
                .endRecord();
        Schema addsRequired = SchemaBuilder.record("Thing")
                .namespace("test")
                .fields()
                .requiredString("a")
                .requiredInt("b")
                .endRecord();
        try (SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()))) {
            // When nothing is registered yet / Then anything is compatible
            assertThat(client.testCompatibility("things-value", v1).compatible())
                    .isTrue();

            client.register("things-value", v1);

            // When a field with a default is added / Then it is compatible
            assertThat(client.testCompatibility("things-value", addsDefaulted).compatible())
                    .isTrue();

            // When a required field is added / Then it is not, with the registry's explanation, and registering fails
            SchemaRegistryClient.CompatibilityResult result = client.testCompatibility("things-value", addsRequired);
            assertThat(result.compatible()).isFalse();
            assertThat(result.messages()).isNotEmpty();
            assertThatThrownBy(() -> client.register("things-value", addsRequired))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus())
                            .isEqualTo(409));
        }
        assertThat(registry.requests("POST /compatibility/subjects/things-value/versions/latest"))
                .isEqualTo(3);
    }

    @Test
    void aConfluentSerializerWithTheRegistryDownFailsRetriably() throws Exception {
        // Given a Confluent serde and a stopped registry
        SchemaRegistryConfig config = SchemaRegistryConfig.builder(registry.url())
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build();
        registry.close();
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.confluent(config))) {
            // When it serializes / Then the failure is retriable
            assertThatThrownBy(() -> serde.serializer().serialize("emails", Fixtures.job()))
                    .isInstanceOf(SchemaRegistryUnavailableException.class);
        }
    }
}
