package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessChecksTest {

    @Test
    void tcpCheckIsUpWhenSomethingListens() throws Exception {
        // Given a listening socket
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ReadinessCheck check =
                        ReadinessChecks.tcp("redis", "127.0.0.1", listening.getLocalPort(), Duration.ofSeconds(2))) {
            // When checked, Then it is up
            assertThat(check.check()).isEqualTo(CheckResult.up());
            assertThat(check.name()).isEqualTo("redis");
        }
    }

    @Test
    void tcpCheckIsDownNamingTheAddressWhenNothingListens() throws Exception {
        // Given a port that was free and is closed again
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (ReadinessCheck check = ReadinessChecks.tcp("redis", "127.0.0.1", port, Duration.ofSeconds(2))) {
            // When checked, Then it is down with the address in the logged detail, never in the served reason
            assertThat(check.check()).isInstanceOfSatisfying(CheckResult.Down.class, down -> {
                assertThat(down.detail()).contains("127.0.0.1:" + port);
                assertThat(down.reason()).doesNotContain("127.0.0.1");
            });
        }
    }

    @Test
    void kafkaCheckIsDownWhenNoBrokerAnswers() throws Exception {
        // Given admin properties pointing at a closed port
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Map<String, Object> props = KafkaSettings.builder()
                .bootstrapServers("127.0.0.1:" + port)
                .build()
                .adminProperties();

        try (ReadinessCheck check = ReadinessChecks.kafka(props, Duration.ofMillis(500))) {
            // When checked, Then it is down; the servers are in the logged detail, not in the served reason
            assertThat(check.name()).isEqualTo("kafka");
            assertThat(check.check()).isInstanceOfSatisfying(CheckResult.Down.class, down -> {
                assertThat(down.detail()).contains("127.0.0.1:" + port);
                assertThat(down.reason()).contains("Kafka cluster").doesNotContain("127.0.0.1");
            });
        }
    }
}
