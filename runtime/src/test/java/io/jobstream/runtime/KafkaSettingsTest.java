package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    private static Config load(String yaml, Map<String, String> env) {
        return ConfigLoader.forDefinition(KafkaSettings.DEFINITION)
                .withEnvironment(env)
                .withYaml(yaml)
                .load();
    }

    @Test
    void plaintextDefaultsGiveIdempotentProducersAndManualCommitConsumers() {
        // Given only bootstrap servers
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers("b1:9092, b2:9092")
                .clientId("worker-1")
                .build();

        // When producer and consumer properties are made
        Map<String, Object> producer = settings.producerProperties();
        Map<String, Object> consumer = settings.consumerProperties();

        // Then producers ack all with idempotence, consumers use KIP-848 without auto-commit
        assertThat(producer)
                .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "b1:9092,b2:9092")
                .containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "worker-1")
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        assertThat(consumer)
                .containsEntry(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .doesNotContainKey(ProducerConfig.ACKS_CONFIG);
        assertThat(settings.adminProperties()).doesNotContainKey(ProducerConfig.ACKS_CONFIG);
    }

    @Test
    void scramCredentialsBecomeAJaasConfigWithQuotesEscaped() {
        // Given SCRAM-SHA-512 with a password holding a quote and a backslash, set by file and env
        String yaml = """
                jobstream.kafka:
                  bootstrap-servers: [broker:9093]
                  security-protocol: SASL_SSL
                  sasl:
                    mechanism: SCRAM-SHA-512
                    username: ${KAFKA_USER}
                """;
        Config config = load(yaml, Map.of("KAFKA_USER", "jobs", "JOBSTREAM_KAFKA_SASL_PASSWORD", "p\"a\\ss"));

        // When settings are read
        Map<String, Object> props = KafkaSettings.from(config).producerProperties();

        // Then the mechanism and an escaped JAAS line are set, the latter as a hidden Password
        assertThat(props)
                .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        Password jaas = (Password) props.get(SaslConfigs.SASL_JAAS_CONFIG);
        assertThat(jaas.value())
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"jobs\" password=\"p\\\"a\\\\ss\";");
        assertThat(props.toString()).doesNotContain("p\"a");
    }

    @Test
    void jaasConfigParsesBackToTheOriginalCredentials() {
        // Given a password with characters that need escaping
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers("b:9092")
                .securityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .sasl(SaslMechanism.PLAIN, "user \"x\"", "pa\\ss\"word")
                .build();
        String jaas = ((Password) settings.adminProperties().get(SaslConfigs.SASL_JAAS_CONFIG)).value();

        // When Kafka's own JAAS parser reads it
        var entry = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)))
                .configurationEntries()
                .get(0);

        // Then it yields the original username and password
        assertThat(entry.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
        Map<String, Object> options = Map.copyOf(entry.getOptions());
        assertThat(options).containsEntry("username", "user \"x\"").containsEntry("password", "pa\\ss\"word");
    }

    @Test
    void tlsStoresBecomeSslProperties() {
        // Given mutual TLS
        String yaml = """
                jobstream.kafka:
                  bootstrap-servers: broker:9093
                  security-protocol: SSL
                  ssl:
                    truststore: {location: /etc/kafka/trust.p12, password: "${TRUST_PW}", type: PKCS12}
                    keystore: {location: /etc/kafka/key.p12, password: kspw, type: PKCS12}
                    key.password: keypw
                """;
        Config config = load(yaml, Map.of("TRUST_PW", "tspw"));

        // When settings are read
        Map<String, Object> props = KafkaSettings.from(config).consumerProperties();

        // Then every store setting is set, passwords as hidden Passwords
        assertThat(props)
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL")
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, "/etc/kafka/trust.p12")
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12")
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, new Password("tspw"))
                .containsEntry(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, "/etc/kafka/key.p12")
                .containsEntry(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, new Password("kspw"))
                .containsEntry(SslConfigs.SSL_KEY_PASSWORD_CONFIG, new Password("keypw"));
        assertThat(props.toString()).doesNotContain("tspw", "kspw", "keypw");
    }

    @Test
    void rawPropertiesPassThroughAndMayOverrideDefaults() {
        // Given raw client properties from the file and the env
        String yaml = """
                jobstream.kafka:
                  bootstrap-servers: broker:9092
                  properties:
                    linger.ms: 5
                    acks: "1"
                """;
        Config config = load(yaml, Map.of("JOBSTREAM_KAFKA_PROPERTIES_COMPRESSION_TYPE", "zstd"));

        // When producer properties are made
        Map<String, Object> props = KafkaSettings.from(config).producerProperties();

        // Then they are passed through as is, winning over defaults
        assertThat(props)
                .containsEntry("linger.ms", "5")
                .containsEntry("compression.type", "zstd")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "1");
    }

    @Test
    void producedPropertiesAreAcceptedByKafkasOwnConfigClasses() {
        // Given SASL_SSL settings with raw properties
        KafkaSettings settings = saslSsl();

        // When Kafka parses them, Then they are valid and mean what we set
        Map<String, Object> producer = new HashMap<>(settings.producerProperties());
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        ProducerConfig parsed = new ProducerConfig(producer);
        assertThat(parsed.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
        assertThat(parsed.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(parsed.getLong(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo(5L);
        assertThat(parsed.getString(SaslConfigs.SASL_MECHANISM)).isEqualTo("SCRAM-SHA-256");
        assertThat(new AdminClientConfig(settings.adminProperties())
                        .getList(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG))
                .containsExactly("b:9093");
    }

    @Test
    void missingBootstrapServersNamesTheKeyAndEnvVar() {
        // From a config file
        assertThatThrownBy(() -> load("jobstream.kafka.client-id: x\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.bootstrap-servers")
                .hasMessageContaining("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS");
        // And from the builder
        assertThatThrownBy(() -> KafkaSettings.builder().clientId("x").build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.bootstrap-servers")
                .hasMessageContaining("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void saslProtocolWithoutCredentialsNamesTheSaslKeys() {
        assertThatThrownBy(() -> KafkaSettings.builder()
                        .bootstrapServers("b:9092")
                        .securityProtocol(SecurityProtocol.SASL_SSL)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.sasl.mechanism")
                .hasMessageContaining("JOBSTREAM_KAFKA_SASL_PASSWORD");
    }

    @Test
    void partialSaslCredentialsNameTheMissingKey() {
        String yaml = """
                jobstream.kafka:
                  bootstrap-servers: b:9092
                  security-protocol: SASL_PLAINTEXT
                  sasl: {mechanism: PLAIN, username: u}
                """;

        assertThatThrownBy(() -> KafkaSettings.from(load(yaml, Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing required key jobstream.kafka.sasl.password")
                .hasMessageContaining("JOBSTREAM_KAFKA_SASL_PASSWORD");
    }

    @Test
    void saslCredentialsOnAPlaintextProtocolAreRejected() {
        assertThatThrownBy(() -> KafkaSettings.builder()
                        .bootstrapServers("b:9092")
                        .sasl(SaslMechanism.PLAIN, "u", "p")
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.sasl.mechanism")
                .hasMessageContaining("PLAINTEXT");
    }

    @Test
    void rawPropertyRepeatingATypedSettingIsRejected() {
        assertThatThrownBy(() -> KafkaSettings.builder()
                        .bootstrapServers("b:9092")
                        .property("bootstrap.servers", "other:9092")
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.properties.bootstrap.servers");
    }

    @Test
    void unknownSecurityProtocolNamesTheAllowedValues() {
        assertThatThrownBy(
                        () -> load("jobstream.kafka: {bootstrap-servers: b:9092, security-protocol: TLS}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.security-protocol")
                .hasMessageContaining("'TLS'")
                .hasMessageContaining("SASL_SSL");
    }

    @Test
    void toBuilderCopiesEverySettingAndRevalidates() {
        // Given settings with SASL over TLS, a client id and a raw property
        KafkaSettings settings = saslSsl().toBuilder().clientId("jobs").build();

        // When copied unchanged, and with a protocol that does not fit
        KafkaSettings same = settings.toBuilder().build();

        // Then the copy equals the original, and the changed copy is validated again
        assertThat(same).isEqualTo(settings);
        assertThat(same.clientId()).hasValue("jobs");
        assertThat(same.sasl()).isEqualTo(saslSsl().sasl());
        assertThatThrownBy(() -> settings.toBuilder()
                        .securityProtocol(SecurityProtocol.PLAINTEXT)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.kafka.ssl.truststore.location");
    }

    @Test
    void toStringHidesSecrets() {
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers("b:9092")
                .securityProtocol(SecurityProtocol.SASL_SSL)
                .truststore("/t.jks", "trustpw", null)
                .sasl(SaslMechanism.SCRAM_SHA_512, "u", "saslpw")
                .build();

        assertThat(settings.toString()).doesNotContain("trustpw", "saslpw").contains("SCRAM-SHA-512");
    }

    /** SASL_SSL with a trust store, SCRAM-SHA-256 credentials and one raw property. */
    private static KafkaSettings saslSsl() {
        return KafkaSettings.builder()
                .bootstrapServers("b:9093")
                .securityProtocol(SecurityProtocol.SASL_SSL)
                .truststore("/tmp/trust.jks", "pw", "JKS")
                .sasl(SaslMechanism.SCRAM_SHA_256, "u", "p")
                .property("linger.ms", "5")
                .build();
    }
}
