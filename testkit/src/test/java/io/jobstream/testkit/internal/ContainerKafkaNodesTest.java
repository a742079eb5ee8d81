package io.jobstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerKafkaNodesTest {

    @Test
    void brokerPropertiesBecomeApacheKafkaImageEnvironmentVariables() {
        // Given settings with dots, underscores and dashes
        Map<String, String> properties = Map.of(
                "group.initial.rebalance.delay.ms", "0",
                "some_key.with-dash", "x");

        // When
        Map<String, String> environment = ContainerKafkaNodes.environment(properties);

        // Then the image's naming rules apply (. -> _, _ -> __, - -> ___)
        assertThat(environment)
                .containsEntry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .containsEntry("KAFKA_SOME__KEY_WITH___DASH", "x")
                .hasSize(2);
    }
}
