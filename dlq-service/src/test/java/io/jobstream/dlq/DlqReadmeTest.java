package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.MeterDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DlqReadmeTest {
    @Test
    void readmeCarriesTheGeneratedConfigTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));
        // When the table is generated from the definition
        String table = ConfigDocs.markdownTable(DlqServiceConfig.DEFINITION);
        // Then the README already holds exactly that table
        assertThat(ConfigDocs.replaceTable(readme, table)).isEqualTo(readme);
        assertThat(readme).contains("`jobstream.dlq.retry.types.*`");
    }

    @Test
    void readmeCarriesTheMetricsTableGeneratedFromTheCatalogue() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = MeterDocs.markdownTable(List.of(DlqMeters.values()));
        assertThat(MeterDocs.replaceTable(readme, table)).isEqualTo(readme);
        assertThat(readme).contains("MeterDocs --update dlq-service/README.md " + DlqMeters.class.getName() + "`");
    }
}
