package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDocs;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.SerdeConfig.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublisherConfigTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        PublisherConfig config = PublisherConfig.defaults();

        assertThat(config.partitionStrategy()).isEqualTo(PartitionStrategy.HASH);
        assertThat(config.maxPayloadSize()).isEqualTo(1024 * 1024);
        assertThat(config.delayTiers()).isEqualTo(DelayTiers.defaults());
        assertThat(config.serde().writeFormat()).isEqualTo(WireFormat.SINGLE_OBJECT);
        assertThat(config.metadataTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(load(Map.of())).isEqualTo(config);
    }

    @Test
    void readsEveryKeyFromAConfiguration() {
        // Given every publisher key set
        PublisherConfig config = load(Map.of(
                "jobstream.publisher.partition-strategy", "round-robin",
                "jobstream.publisher.max-payload-size", "512KiB",
                "jobstream.topics.delay-tiers", "10s,1m",
                "jobstream.schemas.write-format", "confluent",
                "jobstream.schemas.registry.url", "http://registry:8081",
                "jobstream.publisher.metadata-timeout", "3s",
                "jobstream.publisher.lag-refresh-interval", "1s",
                "jobstream.publisher.close-timeout", "5s"));

        // Then each is read
        assertThat(config.partitionStrategy()).isEqualTo(PartitionStrategy.ROUND_ROBIN);
        assertThat(config.maxPayloadSize()).isEqualTo(512 * 1024);
        assertThat(config.delayTiers().names()).containsExactly("10s", "1m");
        assertThat(config.serde().writeFormat()).isEqualTo(WireFormat.CONFLUENT);
        assertThat(config.serde().registry().urls()).hasSize(1);
        assertThat(config.metadataTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.lagRefreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void namesTheKeyOfABadValue() {
        assertThatThrownBy(() -> load(Map.of("jobstream.topics.delay-tiers", "5s,soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.topics.delay-tiers")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> load(Map.of("jobstream.schemas.write-format", "confluent")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.schemas.registry.url");
        assertThatThrownBy(() -> PublisherConfig.builder().maxPayloadSize(0).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.publisher.max-payload-size");
        assertThatThrownBy(() ->
                        PublisherConfig.builder().metadataTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.publisher.metadata-timeout");
    }

    @Test
    void readmeCarriesTheGeneratedTable() throws Exception {
        // Given the module README (tests run in the module directory)
        String readme = Files.readString(Path.of("README.md"));

        // Then its config table is the one generated from the keys
        String table = ConfigDocs.markdownTable(PublisherConfig.DEFINITION);
        assertThat(readme).contains(ConfigDocs.START + "\n" + table + ConfigDocs.END);
    }

    private static PublisherConfig load(Map<String, ?> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        values.put("jobstream.kafka.bootstrap-servers", "localhost:9092");
        Config config = ConfigLoader.forDefinition(PublisherConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withEnvironment(Map.of())
                .withOverrides(values)
                .load();
        return PublisherConfig.from(config);
    }
}
