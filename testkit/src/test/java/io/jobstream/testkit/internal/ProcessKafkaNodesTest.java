package io.jobstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.testkit.Backend;
import io.jobstream.testkit.KafkaClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessKafkaNodesTest {

    private static KafkaClusterConfig config(boolean scram, String host) {
        return new KafkaClusterConfig(
                "kafka",
                1,
                Map.of(),
                Backend.PROCESS,
                Duration.ofSeconds(30),
                Path.of("target"),
                KafkaClusterConfig.TEST_JVM_OPTIONS,
                scram,
                host);
    }

    @Test
    void everyListenerIsOnLoopbackByDefault() {
        // When
        Map<String, String> listeners =
                ProcessKafkaNodes.listenerProperties(config(false, KafkaClusterConfig.DEFAULT_HOST), 9092, 9093, -1);

        // Then exactly as before the host option
        assertThat(listeners)
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9092")
                .containsEntry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .containsEntry("inter.broker.listener.name", "PLAINTEXT");
    }

    @Test
    void aHostMovesOnlyThePlaintextListenerThereAndAdvertisesIt() {
        // When
        Map<String, String> listeners =
                ProcessKafkaNodes.listenerProperties(config(true, "10.77.0.1"), 9092, 9093, 9094);

        // Then the clients' listener is on the host, the controller and SCRAM ones stay on loopback
        assertThat(listeners)
                .containsEntry(
                        "listeners",
                        "PLAINTEXT://10.77.0.1:9092,CONTROLLER://127.0.0.1:9093,SASL_PLAINTEXT://127.0.0.1:9094")
                .containsEntry("advertised.listeners", "PLAINTEXT://10.77.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094");
    }
}
