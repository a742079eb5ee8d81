package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDocsTest {

    @Test
    void tableHasARowForEveryKeyWithItsEnvVarTypeAndDefault() {
        // Given the runtime's and Kafka's definitions
        ConfigDefinition definition = RuntimeConfig.DEFINITION.and(KafkaSettings.DEFINITION);

        // When rendered
        String table = ConfigDocs.markdownTable(definition);

        // Then every key and its env var appear, and defaults are written in config syntax
        assertThat(table).startsWith("| Key | Env var | Type | Default | Unit | Description |");
        for (ConfigKey<?> key : definition.keys()) {
            assertThat(table).contains("`" + key.name()).contains("`" + key.envVar());
        }
        assertThat(table)
                .contains(
                        "| `jobstream.runtime.shutdown-timeout` | `JOBSTREAM_RUNTIME_SHUTDOWN_TIMEOUT` | duration | `30s` |")
                .contains(
                        "| `jobstream.kafka.bootstrap-servers` | `JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS` | list | *required* |")
                .contains("`jobstream.kafka.properties.*`")
                .contains("Valid: 0 to 65535.");
        assertThat(table.lines()).hasSize(definition.keys().size() + 2);
    }

    @Test
    void mainPrintsTheDefinitionsOfTheNamedClasses() throws Exception {
        // Given stdout captured
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // When main runs for KafkaSettings
            ConfigDocs.main(new String[] {KafkaSettings.class.getName()});
        } finally {
            System.setOut(original);
        }

        // Then only Kafka's keys are printed
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("jobstream.kafka.sasl.mechanism").doesNotContain("jobstream.runtime.");
    }

    @Test
    void readmeCarriesTheGeneratedTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));

        // When the table is generated from the definitions
        String table = ConfigDocs.markdownTable(RuntimeConfig.DEFINITION.and(KafkaSettings.DEFINITION));

        // Then the README holds exactly it between the markers
        assertThat(readme)
                .as("runtime/README.md is stale: run ConfigDocs --update runtime/README.md")
                .contains(ConfigDocs.START + "\n" + table + ConfigDocs.END);
    }

    @Test
    void updateRewritesOnlyTheMarkedSection(@TempDir Path dir) throws Exception {
        // Given a document with a stale table between the markers
        Path doc = dir.resolve("README.md");
        Files.writeString(doc, "# Title\n" + ConfigDocs.START + "\nold table\n" + ConfigDocs.END + "\nafter\n");

        // When updated with the Kafka keys
        ConfigDocs.main(new String[] {"--update", doc.toString(), KafkaSettings.class.getName()});

        // Then the table is replaced and the rest kept
        String updated = Files.readString(doc);
        assertThat(updated)
                .startsWith("# Title\n" + ConfigDocs.START + "\n| Key |")
                .contains("jobstream.kafka.bootstrap-servers")
                .doesNotContain("old table")
                .endsWith(ConfigDocs.END + "\nafter\n");
    }
}
