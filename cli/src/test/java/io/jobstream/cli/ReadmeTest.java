package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The repository README's configuration table is generated from the keys, never retyped. */
class ReadmeTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void configurationTableMatchesTheKeys() throws Exception {
        // Given the README at the repository root (tests run in cli/)
        String readme = Files.readString(README);

        // When the table is generated from every key the command reads
        String regenerated = ConfigDocs.replaceTable(readme, ConfigDocs.markdownTable(ConfigReference.ALL));

        // Then the README already holds exactly that table (regenerate with the command the README gives)
        assertThat(readme).isEqualTo(regenerated);
    }

    @Test
    void everyCommandTheReadmeRunsExists() throws Exception {
        String readme = Files.readString(README);
        for (String command :
                new String[] {"api", "worker", "dlq-service", "scheduler", "publish", "dlq", "lag", "topics"}) {
            assertThat(readme).contains("jobstream " + command);
            assertThat(Jobstream.run(
                            new java.io.PrintWriter(java.io.Writer.nullWriter()),
                            new java.io.PrintWriter(java.io.Writer.nullWriter()),
                            command,
                            "--help"))
                    .as("jobstream %s --help", command)
                    .isZero();
        }
    }
}
