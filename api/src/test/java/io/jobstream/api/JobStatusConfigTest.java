package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobStatusConfigTest {

    @Test
    void theDefaultsTrackNoQueueSoTheProjectionIsOff() {
        // When the config is read with nothing set
        JobStatusConfig config = JobStatusConfig.from(load(Map.of()));

        // Then the projection is off, with the documented defaults
        assertThat(config.enabled()).isFalse();
        assertThat(config.applicationId()).isEqualTo("jobstream-status");
        assertThat(config.historySize()).isEqualTo(50);
        assertThat(config.retention()).isEqualTo(Duration.ofHours(1));
        assertThat(config.idleRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.trackEnqueued()).isTrue();
        assertThat(config.advertisedHost()).isEmpty();
    }

    @Test
    void everyKeyIsReadFromTheConfig() {
        // When every key is set
        JobStatusConfig config = JobStatusConfig.from(load(Map.ofEntries(
                Map.entry("jobstream.status.queues", "emails,reports"),
                Map.entry("jobstream.status.application-id", "jobstream-status-eu"),
                Map.entry("jobstream.status.advertised-host", "10.0.0.7"),
                Map.entry("jobstream.status.state-dir", "/var/lib/jobstream"),
                Map.entry("jobstream.status.history-size", 10),
                Map.entry("jobstream.status.retention", "1d"),
                Map.entry("jobstream.status.idle-retention", "2d"),
                Map.entry("jobstream.status.track-enqueued", false),
                Map.entry("jobstream.status.forward-timeout", "2s"),
                Map.entry("jobstream.status.stream-threads", 2),
                Map.entry("jobstream.status.cache-size", "16MiB"))));

        // Then each is taken
        assertThat(config)
                .isEqualTo(new JobStatusConfig(
                        List.of("emails", "reports"),
                        "jobstream-status-eu",
                        Optional.of("10.0.0.7"),
                        Optional.of(Path.of("/var/lib/jobstream")),
                        10,
                        Duration.ofDays(1),
                        Duration.ofDays(2),
                        false,
                        Duration.ofSeconds(2),
                        2,
                        16L * 1024 * 1024));
        assertThat(config.enabled()).isTrue();
    }

    @Test
    void badValuesFailNamingTheKey() {
        assertThatThrownBy(() -> JobStatusConfig.defaults(List.of("Bad_Queue")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.status.queues");
        assertThatThrownBy(() -> JobStatusConfig.builder()
                        .queues(List.of("jobs"))
                        .applicationId("has space")
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.status.application-id");
        assertThatThrownBy(() -> JobStatusConfig.builder()
                        .queues(List.of("jobs"))
                        .advertisedHost("host:9400")
                        .stateDir(Path.of("/tmp"))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.status.advertised-host");
        assertThatThrownBy(() -> JobStatusConfig.from(load(Map.of("jobstream.status.history-size", 0))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.status.history-size");
    }

    @Test
    void theReadmeTableOfTheProjectionsKeysIsCurrent() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = java.nio.file.Files.readString(Path.of("README.md"));

        // When the table is generated from the keys
        String table = io.jobstream.runtime.ConfigDocs.markdownTable(JobStatusConfig.DEFINITION);

        // Then the README holds it between its markers (copy it from this message when it fails)
        assertThat(readme)
                .as("api/README.md status table; expected:%n%s", table)
                .contains("<!-- status-config-table:start -->\n" + table + "<!-- status-config-table:end -->");
    }

    private static Config load(Map<String, Object> settings) {
        return ConfigLoader.forDefinition(JobStatusConfig.DEFINITION)
                .withOverrides(settings)
                .load();
    }
}
