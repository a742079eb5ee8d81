package io.jobstream.dlq.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagMonitorConfigTest {

    private static LagMonitorConfig load(String yaml) {
        return LagMonitorConfig.from(ConfigLoader.forDefinition(LagMonitorConfig.DEFINITION)
                .withYaml(yaml)
                .load());
    }

    @Test
    void defaultsSampleEveryTenSecondsOverTenSamples() {
        // Given no settings, When loaded
        LagMonitorConfig config = load("jobstream: {}");
        // Then the documented defaults apply
        assertThat(config).isEqualTo(LagMonitorConfig.defaults());
        assertThat(config.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.window()).isEqualTo(10);
    }

    @Test
    void monitorsWorkersGroupsTheRoutersAndListedGroups() {
        // Given the default pattern plus one extra group
        LagMonitorConfig config = load("""
                jobstream:
                  lag:
                    groups: [audit]
                """);
        // Then workers groups, the dlq-service's routers and the extra group are monitored, nothing else
        assertThat(config.monitors("emails.workers")).isTrue();
        assertThat(config.monitors("emails.dlq-router")).isTrue();
        assertThat(config.monitors("jobstream-dlq-router-emails")).isFalse();
        assertThat(config.monitors("audit")).isTrue();
        assertThat(config.monitors("emails.delay-forwarder")).isFalse();
        assertThat(config.monitors("workers")).isFalse();
        assertThat(config.monitors("emails.workers.old")).isFalse();
    }

    @Test
    void aBadPatternFailsNamingItsKey() {
        assertThatThrownBy(() -> load("""
                        jobstream:
                          lag:
                            group-pattern: "emails.(workers"
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.lag.group-pattern");
    }

    @Test
    void aWindowOfOneSampleFailsNamingItsKey() {
        assertThatThrownBy(() -> load("""
                        jobstream:
                          lag:
                            window: 1
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.lag.window");
        assertThatThrownBy(() -> LagMonitorConfig.builder()
                        .interval(Duration.ofMillis(500))
                        .window(1)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.lag.window");
    }

    @Test
    void aBlankExtraGroupFailsNamingItsKey() {
        assertThatThrownBy(() -> LagMonitorConfig.builder()
                        .groupPattern(".+\\.workers")
                        .groups(List.of(" "))
                        .build())
                .hasMessageContaining("jobstream.lag.groups");
    }

    @Test
    void readmeCarriesTheGeneratedLagConfigTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));
        // When the table is generated from the definition
        String table = ConfigDocs.markdownTable(LagMonitorConfig.DEFINITION);
        // Then the README's lag monitor section holds exactly that table
        assertThat(readme).as("README.md must hold this table:%n%s", table).contains(table);
    }
}
