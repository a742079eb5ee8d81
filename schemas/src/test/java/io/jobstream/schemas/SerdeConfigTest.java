package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SerdeConfigTest {
    @Test
    void defaultsToSingleObjectWithoutARegistry() {
        SerdeConfig config = SerdeConfig.fromMap(Map.of());
        assertThat(config.writeFormat()).isEqualTo(SerdeConfig.WireFormat.SINGLE_OBJECT);
        assertThat(config.registry()).isNull();
        assertThat(config).isEqualTo(SerdeConfig.singleObject());
    }

    @Test
    void readsEveryKey() {
        SerdeConfig config = SerdeConfig.fromMap(Map.of(
                SerdeConfig.WRITE_FORMAT, "confluent",
                SchemaRegistryConfig.URL, "http://a:8081, https://b:8081/",
                SchemaRegistryConfig.BASIC_AUTH_USER_INFO, "u:p",
                SchemaRegistryConfig.CONNECT_TIMEOUT, "500ms",
                SchemaRegistryConfig.REQUEST_TIMEOUT, "PT3S"));
        assertThat(config.writeFormat()).isEqualTo(SerdeConfig.WireFormat.CONFLUENT);
        assertThat(config.registry().urls()).containsExactly(URI.create("http://a:8081"), URI.create("https://b:8081"));
        assertThat(config.registry().basicAuthUserInfo()).isEqualTo("u:p");
        assertThat(config.registry().connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.registry().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void confluentWithoutARegistryFailsNamingTheKeys() {
        assertThatThrownBy(() -> SerdeConfig.fromMap(Map.of(SerdeConfig.WRITE_FORMAT, "confluent")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SerdeConfig.WRITE_FORMAT)
                .hasMessageContaining(SchemaRegistryConfig.URL);
    }

    @Test
    void badValuesFailNamingTheirKey() {
        assertThatThrownBy(() -> SerdeConfig.fromMap(Map.of(SerdeConfig.WRITE_FORMAT, "protobuf")))
                .hasMessageContaining(SerdeConfig.WRITE_FORMAT);
        assertThatThrownBy(() -> SchemaRegistryConfig.of("ftp://x")).hasMessageContaining(SchemaRegistryConfig.URL);
        assertThatThrownBy(() -> SchemaRegistryConfig.builder("http://x")
                        .basicAuth("nocolon")
                        .build())
                .hasMessageContaining(SchemaRegistryConfig.BASIC_AUTH_USER_INFO);
        assertThatThrownBy(() -> SchemaRegistryConfig.fromMap(
                        Map.of(SchemaRegistryConfig.URL, "http://x", SchemaRegistryConfig.CONNECT_TIMEOUT, "soon")))
                .hasMessageContaining(SchemaRegistryConfig.CONNECT_TIMEOUT);
        assertThatThrownBy(() -> SchemaRegistryConfig.builder("http://x")
                        .timeouts(Duration.ZERO, Duration.ofSeconds(1))
                        .build())
                .hasMessageContaining(SchemaRegistryConfig.CONNECT_TIMEOUT);
        assertThatThrownBy(
                        () -> new SchemaRegistryConfig(List.of(), null, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining(SchemaRegistryConfig.URL);
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(SchemaRegistryConfig.builder("http://x")
                        .basicAuth("user:s3cret")
                        .build()
                        .toString())
                .contains("user")
                .doesNotContain("s3cret");
    }

    @Test
    void isCopiedThroughItsBuilder() {
        // Given a registry config with basic auth
        SchemaRegistryConfig config = SchemaRegistryConfig.builder("http://a:8081,http://b:8081")
                .basicAuth("jobs:s3cret")
                .build();

        // When copied with other timeouts, and with bearer auth as well
        SchemaRegistryConfig slower = config.toBuilder()
                .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();

        // Then the rest is kept, an unchanged copy equals the original, and a copy is validated again
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(slower.urls()).isEqualTo(config.urls());
        assertThat(slower.basicAuthUserInfo()).isEqualTo("jobs:s3cret");
        assertThat(slower.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> config.toBuilder().bearerAuth("token").build())
                .hasMessageContaining(SchemaRegistryConfig.BEARER_AUTH_TOKEN);
    }
}
