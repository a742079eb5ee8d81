package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SchemaRegistryClient;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.SerdeConfig.WireFormat;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.SchemaRegistryServer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaSettingsTest {

    @Test
    void defaultsWriteSingleObjectWithoutARegistry() {
        // When
        SerdeConfig serdes = SchemaSettings.from(load("", Map.of()));

        // Then
        assertThat(serdes.writeFormat()).isEqualTo(WireFormat.SINGLE_OBJECT);
        assertThat(serdes.registry()).isNull();
    }

    @Test
    void everyDocumentedKeyIsReadFromTheConfigFile() {
        // Given the keys as schemas/README.md shows them, in YAML
        String yaml = """
                jobstream:
                  schemas:
                    write-format: confluent
                    registry:
                      url: http://a:8081/apis/ccompat/v7, http://b:8081
                      basic-auth:
                        user-info: key:secret
                      connect-timeout: 2s
                      request-timeout: 3s
                      ssl:
                        truststore:
                          location: /etc/registry.p12
                          password: changeit
                          type: JKS
                """;

        // When
        SerdeConfig serdes = SchemaSettings.from(load(yaml, Map.of()));

        // Then
        assertThat(serdes.writeFormat()).isEqualTo(WireFormat.CONFLUENT);
        SchemaRegistryConfig registry = serdes.registry();
        assertThat(registry.urls())
                .extracting(Object::toString)
                .containsExactly("http://a:8081/apis/ccompat/v7", "http://b:8081");
        assertThat(registry.basicAuthUserInfo()).isEqualTo("key:secret");
        assertThat(registry.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(registry.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(registry.trustStore())
                .isEqualTo(new SchemaRegistryConfig.TrustStore(Path.of("/etc/registry.p12"), "changeit", "JKS"));
    }

    @Test
    void theEnvironmentVariablesAloneConfigureARoleThatRegistersWithBearerAuth() {
        try (SchemaRegistryServer registry = SchemaRegistryServer.start()) {
            // Given only JOBSTREAM_* variables, as a container gets them
            Map<String, String> env = Map.of(
                    "JOBSTREAM_SCHEMAS_WRITE_FORMAT", "confluent",
                    "JOBSTREAM_SCHEMAS_REGISTRY_URL", registry.url(),
                    "JOBSTREAM_SCHEMAS_REGISTRY_BEARER_AUTH_TOKEN", "t0ken");
            SerdeConfig serdes = SchemaSettings.from(load("", env));

            // When a job is encoded with those settings
            Job job = job();
            byte[] bytes;
            try (JobSerde<Job> jobs = JobSerde.forJob(serdes)) {
                bytes = jobs.encode("emails", job);
            }

            // Then it is Confluent-framed, registered with the bearer token, and decodes
            assertThat(bytes[0]).isZero();
            assertThat(registry.authorizations()).isNotEmpty().containsOnly("Bearer t0ken");
            try (JobSerde<Job> jobs = JobSerde.forJob(serdes)) {
                assertThat(jobs.decode("emails", new RecordHeaders(), bytes)).isEqualTo(job);
            }
        }
    }

    @Test
    void settingsThatDoNotFitTogetherFailNamingTheirKeys() {
        assertThatThrownBy(() -> SchemaSettings.from(load("", Map.of("JOBSTREAM_SCHEMAS_WRITE_FORMAT", "confluent"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.schemas.registry.url");
        assertThatThrownBy(() -> SchemaSettings.from(load(
                        "",
                        Map.of(
                                "JOBSTREAM_SCHEMAS_REGISTRY_URL", "http://registry:8081",
                                "JOBSTREAM_SCHEMAS_REGISTRY_BASIC_AUTH_USER_INFO", "a:b",
                                "JOBSTREAM_SCHEMAS_REGISTRY_BEARER_AUTH_TOKEN", "t"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.schemas.registry.basic-auth.user-info")
                .hasMessageContaining("jobstream.schemas.registry.bearer-auth.token");
        assertThatThrownBy(() -> load("", Map.of("JOBSTREAM_SCHEMAS_WRITE_FORMAT", "protobuf")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.schemas.write-format");
    }

    @Test
    void aTrustStoreThatCannotBeReadFailsAtStartNamingItsKey(@TempDir Path dir) throws Exception {
        // Given a trust store file that is no key store
        Path bogus = Files.writeString(dir.resolve("registry.p12"), "not a key store");
        SerdeConfig serdes = SchemaSettings.from(load(
                "",
                Map.of(
                        "JOBSTREAM_SCHEMAS_REGISTRY_URL",
                        "https://registry:8081",
                        "JOBSTREAM_SCHEMAS_REGISTRY_SSL_TRUSTSTORE_LOCATION",
                        bogus.toString())));

        // Then the registry client refuses to start
        assertThatThrownBy(() -> new SchemaRegistryClient(serdes.registry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobstream.schemas.registry.ssl.truststore.location")
                .hasMessageContaining(bogus.toString());
    }

    @Test
    void schemasReadmeCarriesTheGeneratedTable() throws Exception {
        // Given the schemas module's README (tests run in the runtime module directory)
        String readme = Files.readString(Path.of("../schemas/README.md"));

        // Then its settings table is the one generated from the keys
        String table = ConfigDocs.markdownTable(SchemaSettings.DEFINITION);
        assertThat(readme)
                .as("schemas/README.md is stale: run ConfigDocs --update schemas/README.md"
                        + " io.jobstream.runtime.SchemaSettings")
                .contains(ConfigDocs.START + "\n" + table + ConfigDocs.END);
    }

    private static Config load(String yaml, Map<String, String> env) {
        return ConfigLoader.forDefinition(SchemaSettings.DEFINITION)
                .withYaml(yaml.isEmpty() ? "jobstream: {}\n" : yaml)
                .withEnvironment(env)
                .load();
    }

    private static Job job() {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType("send_email")
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
