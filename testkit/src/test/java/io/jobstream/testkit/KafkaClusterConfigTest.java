package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClusterConfigTest {

    private static KafkaClusterConfig config(int brokers, Map<String, String> properties) {
        return new KafkaClusterConfig(
                "kafka", brokers, properties, Backend.PROCESS, Duration.ofSeconds(30), Path.of("target"));
    }

    @Test
    void rejectsBrokerCountsOutsideOneToNine() {
        assertThatThrownBy(() -> config(0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("brokers must be between 1 and 9 (was 0)");
        assertThatThrownBy(() -> config(10, Map.of())).hasMessageContaining("brokers");
    }

    @Test
    void rejectsOverridingListenersAndIds() {
        assertThatThrownBy(() -> config(1, Map.of("listeners", "PLAINTEXT://:9092")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("brokerProperty 'listeners' is set by the testkit");
        assertThatThrownBy(() -> config(1, Map.of("node.id", "7"))).hasMessageContaining("'node.id'");
    }

    @Test
    void rejectsNamesThatCannotBeFolders() {
        assertThatThrownBy(() -> new KafkaClusterConfig(
                        "My Cluster", 1, Map.of(), Backend.PROCESS, Duration.ofSeconds(1), Path.of("target")))
                .hasMessageContaining("name must match");
    }

    @Test
    void usesTheTestJvmOptionsUnlessGivenAndRejectsBlankOnes() {
        assertThat(config(1, Map.of()).brokerJvmOptions()).isEqualTo(KafkaClusterConfig.TEST_JVM_OPTIONS);
        assertThatThrownBy(() -> new KafkaClusterConfig(
                        "kafka",
                        1,
                        Map.of(),
                        Backend.PROCESS,
                        Duration.ofSeconds(1),
                        Path.of("target"),
                        java.util.List.of("-Xmx1g", " ")))
                .hasMessage("brokerJvmOptions must not contain blank options");
    }

    @Test
    void aScramClusterAddsTheScramListenersSettingsAndTheAuthorizerAndNeedsTheProcessBackend() {
        KafkaClusterConfig scram = new KafkaClusterConfig(
                "kafka",
                1,
                Map.of(),
                Backend.PROCESS,
                Duration.ofSeconds(30),
                Path.of("target"),
                KafkaClusterConfig.TEST_JVM_OPTIONS,
                true);
        assertThat(scram.effectiveBrokerProperties())
                .containsEntry("sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .containsEntry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("super.users", "User:ANONYMOUS;User:admin");
        assertThat(config(1, Map.of()).effectiveBrokerProperties()).doesNotContainKey("authorizer.class.name");
        assertThatThrownBy(() -> new KafkaClusterConfig(
                        "kafka",
                        1,
                        Map.of(),
                        Backend.CONTAINERS,
                        Duration.ofSeconds(30),
                        Path.of("target"),
                        KafkaClusterConfig.TEST_JVM_OPTIONS,
                        true))
                .hasMessage("scram needs the PROCESS backend (was CONTAINERS)");
    }

    @Test
    void brokersListenOnLoopbackUnlessGivenAHostWhichMustBeAnIpv4AddressAndNeedsTheProcessBackend() {
        assertThat(config(1, Map.of()).host()).isEqualTo("127.0.0.1");
        assertThat(KafkaCluster.builder().host("10.77.0.1").build().config().host())
                .isEqualTo("10.77.0.1");
        assertThatThrownBy(() -> KafkaCluster.builder().host("localhost").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host must be an IPv4 address (was 'localhost')");
        assertThatThrownBy(() -> KafkaCluster.builder().host("10.77.0.256").build())
                .hasMessage("host must be an IPv4 address (was '10.77.0.256')");
        assertThatThrownBy(() -> new KafkaClusterConfig(
                        "kafka",
                        1,
                        Map.of(),
                        Backend.CONTAINERS,
                        Duration.ofSeconds(30),
                        Path.of("target"),
                        KafkaClusterConfig.TEST_JVM_OPTIONS,
                        false,
                        "10.77.0.1"))
                .hasMessage("host 10.77.0.1 needs the PROCESS backend (was CONTAINERS)");
    }

    @Test
    void rejectsNonPositiveStartupTimeout() {
        assertThatThrownBy(() ->
                        new KafkaClusterConfig("kafka", 1, Map.of(), Backend.PROCESS, Duration.ZERO, Path.of("target")))
                .hasMessage("startupTimeout must be positive (was PT0S)");
    }

    @Test
    void internalTopicsAreReplicatedAtMostThreeTimes() {
        assertThat(KafkaClusterConfig.testDefaults(1))
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1");
        assertThat(KafkaClusterConfig.testDefaults(3))
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2");
        assertThat(KafkaClusterConfig.testDefaults(5)).containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void brokerPropertiesOverrideTheTestDefaults() {
        // Given a test that wants auto-created topics
        KafkaClusterConfig config = config(1, Map.of("auto.create.topics.enable", "true", "log.retention.ms", "1000"));

        // Then its settings win, and the other defaults stay
        assertThat(config.effectiveBrokerProperties())
                .containsEntry("auto.create.topics.enable", "true")
                .containsEntry("log.retention.ms", "1000")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
    }

    @Test
    void forcingContainersOnABuilderWithoutDockerFailsClearly() {
        // Given this machine's Docker state: the builder must either fail clearly or pick containers
        boolean docker = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();

        // When / Then
        if (docker) {
            assertThat(KafkaCluster.builder()
                            .backend(Backend.CONTAINERS)
                            .build()
                            .backend())
                    .isEqualTo(Backend.CONTAINERS);
        } else {
            assertThatThrownBy(() ->
                            KafkaCluster.builder().backend(Backend.CONTAINERS).build())
                    .isInstanceOf(TestkitException.class)
                    .hasMessageContaining("no Docker engine is reachable");
        }
    }
}
