package io.jobstream.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.runtime.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {
    @Test
    void readmeCarriesTheGeneratedTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));

        // Then its config table is the one generated from the keys
        String table = ConfigDocs.markdownTable(SchedulerConfig.DEFINITION);
        assertThat(readme).contains(ConfigDocs.START + "\n" + table + ConfigDocs.END);
    }
}
