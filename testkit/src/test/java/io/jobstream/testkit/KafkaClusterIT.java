package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaClusterIT {

    @Test
    void brokerThatCannotStartFailsNamingItsLogAndQuotingIt() {
        // Given a broker setting Kafka rejects
        KafkaCluster kafka = KafkaCluster.builder()
                .name("broken")
                .brokerProperty("num.io.threads", "0")
                .startupTimeout(Duration.ofSeconds(60))
                .build();

        // When / Then start fails fast, with the log's path and its last lines
        assertThatThrownBy(kafka::start)
                .isInstanceOf(TestkitException.class)
                .hasMessageContaining("broker-1.log")
                .hasMessageContaining("num.io.threads");
        assertThat(kafka.isRunning(1)).isFalse();
        kafka.close();
    }

    @Test
    void stoppedBrokerComesBackOnItsPortsAfterRestart() {
        try (KafkaCluster kafka = KafkaCluster.start(1)) {
            // Given a topic on a single broker
            kafka.createTopic("survives-restart", 1, 1);
            String bootstrap = kafka.bootstrapServers();

            // When the broker is stopped gracefully and restarted
            kafka.stop(1);
            assertThat(kafka.isRunning(1)).isFalse();
            kafka.restart(1);

            // Then it is back on the same address, with its data
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(kafka.liveBrokerIds()).containsExactly(1);
            assertThat(kafka.partitions("survives-restart")).hasSize(1);
        }
    }
}
