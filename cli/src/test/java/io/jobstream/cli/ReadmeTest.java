package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.api.ApiMeters;
import io.jobstream.dlq.DlqMeters;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.producer.PublisherMeters;
import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.scheduler.SchedulerMeters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The repository README's configuration and metrics tables are generated from the keys and meters, never retyped. */
class ReadmeTest {
    private static final Path README = Path.of("..", "README.md");

    /** The meter catalogue of every module that registers meters, in the README's order. */
    private static final List<String> METER_CATALOGUES = List.of(
            ProcessorMeters.class.getName(),
            DlqMeters.class.getName(),
            ApiMeters.class.getName(),
            PublisherMeters.class.getName(),
            SchedulerMeters.class.getName());

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
    void metricsTableMatchesTheMeterCatalogues() throws Exception {
        // Given the README
        String readme = Files.readString(README);

        // When the table is generated from every module's meter catalogue
        List<MeterCatalogue> meters = MeterDocs.entries(METER_CATALOGUES);
        String regenerated = MeterDocs.replaceTable(readme, MeterDocs.markdownTable(meters));

        // Then the README holds exactly that table, its regenerate command names every catalogue, and no two
        // modules use one name (one name, one meaning)
        assertThat(readme).isEqualTo(regenerated);
        assertThat(readme).contains("MeterDocs --update README.md " + String.join(" ", METER_CATALOGUES) + "`");
        assertThat(meters.stream().map(m -> m.spec().name())).doesNotHaveDuplicates();
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
