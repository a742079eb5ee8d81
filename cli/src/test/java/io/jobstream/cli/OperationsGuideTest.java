package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.SchemaSettings;
import io.jobstream.schemas.SerdeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/OPERATIONS.md cannot rot: each managed-Kafka walkthrough's YAML is loaded with the real {@link ConfigLoader}
 * under the worker's and the dlq-service's definitions, with the env vars it names, and gives the Kafka and registry
 * settings the walkthrough promises; and the guide keeps the sections another change fills in.
 */
class OperationsGuideTest {
    private static final Path GUIDE = KubernetesManifests.ROOT.resolve("docs/OPERATIONS.md");
    /** A YAML block the guide marks with {@code <!-- config-example: NAME -->} on the line before it. */
    private static final Pattern EXAMPLE =
            Pattern.compile("<!-- config-example: ([a-z-]+) -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL);

    /** What the walkthroughs' `export` lines set, with made-up values. */
    private static final Map<String, String> ENV = Map.of(
            "CONFLUENT_BOOTSTRAP", "pkc-12345.eu-west-1.aws.confluent.cloud:9092",
            "CONFLUENT_API_KEY", "KAFKAKEY",
            "CONFLUENT_API_SECRET", "kafka-secret",
            "CONFLUENT_SR_URL", "https://psrc-12345.eu-west-1.aws.confluent.cloud",
            "CONFLUENT_SR_KEY", "SRKEY",
            "CONFLUENT_SR_SECRET", "sr-secret",
            "MSK_BOOTSTRAP", "b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9098");

    @Test
    void confluentCloudWalkthroughGivesSaslPlainOverTlsAndRegistryBasicAuth(@TempDir Path dir) throws IOException {
        for (Config config : loadedByEveryRole(example("confluent-cloud"), dir)) {
            // Then the Kafka clients speak SASL/PLAIN over TLS as the API key
            Map<String, Object> kafka = KafkaSettings.from(config).adminProperties();
            assertThat(kafka)
                    .containsEntry("bootstrap.servers", ENV.get("CONFLUENT_BOOTSTRAP"))
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "PLAIN");
            assertThat(String.valueOf(
                            ((org.apache.kafka.common.config.types.Password) kafka.get("sasl.jaas.config")).value()))
                    .contains("PlainLoginModule", "username=\"KAFKAKEY\"", "password=\"kafka-secret\"");
            // And the registry is asked with the registry's own key and secret, and written to
            SerdeConfig serdes = SchemaSettings.from(config);
            assertThat(serdes.writeFormat()).isEqualTo(SerdeConfig.WireFormat.CONFLUENT);
            assertThat(serdes.registry().urls()).hasToString("[" + ENV.get("CONFLUENT_SR_URL") + "]");
            assertThat(serdes.registry().basicAuthUserInfo()).isEqualTo("SRKEY:sr-secret");
        }
    }

    @Test
    void mskIamWalkthroughPassesTheIamMechanismThroughToEveryClient(@TempDir Path dir) throws IOException {
        for (Config config : loadedByEveryRole(example("msk-iam"), dir)) {
            // Then every Kafka client is configured for IAM, through the raw-property passthrough
            KafkaSettings settings = KafkaSettings.from(config);
            for (Map<String, Object> client :
                    List.of(settings.adminProperties(), settings.producerProperties(), settings.consumerProperties())) {
                assertThat(client)
                        .containsEntry("bootstrap.servers", ENV.get("MSK_BOOTSTRAP"))
                        .containsEntry("security.protocol", "SASL_SSL")
                        .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
                        .containsEntry(
                                "sasl.client.callback.handler.class",
                                "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
                assertThat(String.valueOf(
                                ((org.apache.kafka.common.config.types.Password) client.get("sasl.jaas.config"))
                                        .value()))
                        .isEqualTo("software.amazon.msk.auth.iam.IAMLoginModule required;");
            }
        }
    }

    @Test
    void theGuideKeepsTheSectionsItsTableOfContentsLists() throws IOException {
        // Given the guide's table of contents
        String guide = Files.readString(GUIDE);
        Matcher entry = Pattern.compile("^- \\[(.+?)]\\(#([a-z0-9-]+)\\)", Pattern.MULTILINE)
                .matcher(guide);
        List<String> listed = new ArrayList<>();
        while (entry.find()) {
            listed.add(entry.group(1));
        }

        // Then it lists the ACL and naming sections (written in another change) and every section it has
        assertThat(listed).contains("Kafka ACLs per role", "Names of groups and transactional ids");
        Matcher heading = Pattern.compile("^## (.+)$", Pattern.MULTILINE).matcher(guide);
        while (heading.find()) {
            assertThat(listed).as("table of contents").contains(heading.group(1).strip());
        }
    }

    private static String example(String name) throws IOException {
        Matcher matcher = EXAMPLE.matcher(Files.readString(GUIDE));
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return matcher.group(2);
            }
        }
        throw new AssertionError("docs/OPERATIONS.md has no <!-- config-example: " + name + " --> yaml block");
    }

    /** The file loaded as the worker and the dlq-service load it (their required queue given as a flag would). */
    private static List<Config> loadedByEveryRole(String yaml, Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("jobstream.yaml"), yaml);
        Map<ConfigDefinition, Map<String, Object>> roles = new LinkedHashMap<>();
        roles.put(WorkerCommand.DEFINITION, Map.of("jobstream.worker.queue", "emails"));
        roles.put(DlqServiceCommand.DEFINITION, Map.of("jobstream.dlq.queues", "emails"));
        List<Config> out = new ArrayList<>();
        roles.forEach(
                (definition, flags) -> out.add(ConfigLoader.forDefinition(definition.and(KafkaSettings.DEFINITION))
                        .withEnvironment(ENV)
                        .withOverrides(flags)
                        .withFile(file)
                        .load()));
        return out;
    }
}
