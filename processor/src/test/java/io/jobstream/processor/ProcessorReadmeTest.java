package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.MeterDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessorReadmeTest {
    @Test
    void readmeCarriesTheMetricsTableGeneratedFromTheCatalogue() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));
        // When the table is generated from ProcessorMeters
        String table = MeterDocs.markdownTable(List.of(ProcessorMeters.values()));
        // Then the README holds exactly that table, and says how to regenerate it
        assertThat(MeterDocs.replaceTable(readme, table)).isEqualTo(readme);
        assertThat(readme).contains("MeterDocs --update processor/README.md " + ProcessorMeters.class.getName() + "`");
    }
}
