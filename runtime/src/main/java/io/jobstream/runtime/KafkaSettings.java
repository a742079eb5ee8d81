package io.jobstream.runtime;

import io.jobstream.runtime.internal.Jaas;
import io.jobstream.runtime.internal.Values;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How every Jobstream process connects to Kafka: bootstrap servers, client id, security protocol,
 * TLS trust and key stores, SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) from a username and password,
 * and raw client properties passed through. Turns into the property maps of a producer, a consumer
 * or an admin client.
 *
 * <p>Validated at construction, naming the key: bootstrap servers are required; a SASL protocol
 * needs SASL credentials (or a raw {@code sasl.jaas.config}); SASL credentials or stores on a
 * protocol that does not use them are rejected, as is a raw property that repeats a typed setting.
 * Secrets appear in the maps as Kafka {@link org.apache.kafka.common.config.types.Password}s, so
 * printing a map does not print them.
 *
 * @param bootstrapServers {@code host:port} of one or more brokers ({@code jobstream.kafka.bootstrap-servers})
 * @param clientId the client id, if set ({@code jobstream.kafka.client-id})
 * @param securityProtocol the security protocol ({@code jobstream.kafka.security-protocol})
 * @param truststore the TLS trust store, if any ({@code jobstream.kafka.ssl.truststore.*})
 * @param keystore the TLS key store for mutual TLS, if any ({@code jobstream.kafka.ssl.keystore.*})
 * @param keyPassword password of the private key in the key store, if it differs ({@code jobstream.kafka.ssl.key.password})
 * @param sasl SASL credentials, if any ({@code jobstream.kafka.sasl.*})
 * @param properties raw Kafka client properties, passed through as is ({@code jobstream.kafka.properties.*})
 */
public record KafkaSettings(
        List<String> bootstrapServers,
        Optional<String> clientId,
        SecurityProtocol securityProtocol,
        Optional<Store> truststore,
        Optional<Store> keystore,
        Optional<Password> keyPassword,
        Optional<Sasl> sasl,
        Map<String, String> properties) {

    /** Brokers to bootstrap from. */
    public static final ConfigKey<List<String>> BOOTSTRAP_SERVERS = ConfigKey.listKey(
                    "jobstream.kafka.bootstrap-servers")
            .doc("Kafka brokers to bootstrap from, host:port, comma-separated or a YAML list.")
            .build();

    /** Client id. */
    public static final ConfigKey<String> CLIENT_ID = ConfigKey.stringKey("jobstream.kafka.client-id")
            .optional()
            .doc("client.id of the Kafka clients, shown in broker logs and quotas.")
            .build();

    /** Security protocol. */
    public static final ConfigKey<SecurityProtocol> SECURITY_PROTOCOL = ConfigKey.enumKey(
                    "jobstream.kafka.security-protocol", SecurityProtocol.class)
            .defaultValue(SecurityProtocol.PLAINTEXT)
            .doc("How clients talk to brokers: plain TCP, TLS, SASL, or SASL over TLS.")
            .build();

    /** Trust store location. */
    public static final ConfigKey<String> TRUSTSTORE_LOCATION = ConfigKey.stringKey(
                    "jobstream.kafka.ssl.truststore.location")
            .optional()
            .doc("Path of the trust store holding the CA(s) that signed the brokers' certificates.")
            .build();

    /** Trust store password. */
    public static final ConfigKey<Password> TRUSTSTORE_PASSWORD = ConfigKey.passwordKey(
                    "jobstream.kafka.ssl.truststore.password")
            .optional()
            .doc("Password of the trust store.")
            .build();

    /** Trust store type. */
    public static final ConfigKey<String> TRUSTSTORE_TYPE = ConfigKey.stringKey("jobstream.kafka.ssl.truststore.type")
            .optional()
            .doc("Trust store format: JKS, PKCS12 or PEM (Kafka's default is JKS).")
            .build();

    /** Key store location. */
    public static final ConfigKey<String> KEYSTORE_LOCATION = ConfigKey.stringKey(
                    "jobstream.kafka.ssl.keystore.location")
            .optional()
            .doc("Path of the key store with this client's certificate, for mutual TLS.")
            .build();

    /** Key store password. */
    public static final ConfigKey<Password> KEYSTORE_PASSWORD = ConfigKey.passwordKey(
                    "jobstream.kafka.ssl.keystore.password")
            .optional()
            .doc("Password of the key store.")
            .build();

    /** Key store type. */
    public static final ConfigKey<String> KEYSTORE_TYPE = ConfigKey.stringKey("jobstream.kafka.ssl.keystore.type")
            .optional()
            .doc("Key store format: JKS, PKCS12 or PEM (Kafka's default is JKS).")
            .build();

    /** Private key password. */
    public static final ConfigKey<Password> KEY_PASSWORD = ConfigKey.passwordKey("jobstream.kafka.ssl.key.password")
            .optional()
            .doc("Password of the private key in the key store, when it differs from the store's.")
            .build();

    /** SASL mechanism. */
    public static final ConfigKey<SaslMechanism> SASL_MECHANISM = ConfigKey.enumKey(
                    "jobstream.kafka.sasl.mechanism", SaslMechanism.class)
            .optional()
            .doc("SASL mechanism for SASL_PLAINTEXT / SASL_SSL; with username and password it sets sasl.jaas.config.")
            .build();

    /** SASL username. */
    public static final ConfigKey<String> SASL_USERNAME = ConfigKey.stringKey("jobstream.kafka.sasl.username")
            .optional()
            .doc("SASL username.")
            .build();

    /** SASL password. */
    public static final ConfigKey<Password> SASL_PASSWORD = ConfigKey.passwordKey("jobstream.kafka.sasl.password")
            .optional()
            .doc("SASL password.")
            .build();

    /** Raw client properties. */
    public static final ConfigKey<Map<String, String>> PROPERTIES = ConfigKey.mapKey("jobstream.kafka.properties")
            .doc("Raw Kafka client properties passed through as is, e.g. jobstream.kafka.properties.linger.ms: 5"
                    + " (env JOBSTREAM_KAFKA_PROPERTIES_LINGER_MS, '_' read as '.').")
            .build();

    /** Every Kafka key. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            BOOTSTRAP_SERVERS,
            CLIENT_ID,
            SECURITY_PROTOCOL,
            TRUSTSTORE_LOCATION,
            TRUSTSTORE_PASSWORD,
            TRUSTSTORE_TYPE,
            KEYSTORE_LOCATION,
            KEYSTORE_PASSWORD,
            KEYSTORE_TYPE,
            KEY_PASSWORD,
            SASL_MECHANISM,
            SASL_USERNAME,
            SASL_PASSWORD,
            PROPERTIES);

    /**
     * A TLS trust or key store.
     *
     * @param location path of the store file
     * @param password its password, if any
     * @param type its format (JKS, PKCS12, PEM), if not Kafka's default
     */
    public record Store(String location, Optional<Password> password, Optional<String> type) {
        /** Checks the fields are present. */
        public Store {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(type, "type");
        }

        /** A store at {@code location}; {@code password} and {@code type} may be null. */
        public static Store of(String location, String password, String type) {
            return new Store(location, Optional.ofNullable(password).map(Password::of), Optional.ofNullable(type));
        }
    }

    /**
     * SASL credentials.
     *
     * @param mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
     * @param username the user
     * @param password the password
     */
    public record Sasl(SaslMechanism mechanism, String username, Password password) {
        /** Checks the fields are present. */
        public Sasl {
            SASL_MECHANISM.check(mechanism);
            SASL_USERNAME.check(username);
            SASL_PASSWORD.check(password);
        }

        /** The {@code sasl.jaas.config} value for these credentials. */
        public String jaasConfig() {
            return Jaas.usernamePassword(mechanism.loginModule(), username, password.value());
        }
    }

    /** Validates the combination; every message names the offending key. */
    public KafkaSettings {
        bootstrapServers = List.copyOf(BOOTSTRAP_SERVERS.check(bootstrapServers));
        if (bootstrapServers.isEmpty() || bootstrapServers.stream().anyMatch(String::isBlank)) {
            throw new ConfigException(missing(BOOTSTRAP_SERVERS));
        }
        Objects.requireNonNull(clientId, CLIENT_ID.name());
        SECURITY_PROTOCOL.check(securityProtocol);
        Objects.requireNonNull(truststore, TRUSTSTORE_LOCATION.name());
        Objects.requireNonNull(keystore, KEYSTORE_LOCATION.name());
        Objects.requireNonNull(keyPassword, KEY_PASSWORD.name());
        if (keyPassword.isPresent() && keystore.isEmpty()) {
            throw new ConfigException(KEY_PASSWORD.name() + " is set but " + KEYSTORE_LOCATION.name() + " is not (env "
                    + KEYSTORE_LOCATION.envVar() + ")");
        }
        Objects.requireNonNull(sasl, SASL_MECHANISM.name());
        properties = Map.copyOf(Objects.requireNonNull(properties, PROPERTIES.name()));

        boolean usesTls = securityProtocol == SecurityProtocol.SSL || securityProtocol == SecurityProtocol.SASL_SSL;
        boolean usesSasl =
                securityProtocol == SecurityProtocol.SASL_PLAINTEXT || securityProtocol == SecurityProtocol.SASL_SSL;
        if (!usesTls && truststore.isPresent()) {
            throw new ConfigException(TRUSTSTORE_LOCATION.name() + " is set but " + SECURITY_PROTOCOL.name() + " is "
                    + securityProtocol + ", which does not use TLS; use SSL or SASL_SSL");
        }
        if (!usesTls && keystore.isPresent()) {
            throw new ConfigException(KEYSTORE_LOCATION.name() + " is set but " + SECURITY_PROTOCOL.name() + " is "
                    + securityProtocol + ", which does not use TLS; use SSL or SASL_SSL");
        }
        if (!usesSasl && sasl.isPresent()) {
            throw new ConfigException(SASL_MECHANISM.name() + " is set but " + SECURITY_PROTOCOL.name() + " is "
                    + securityProtocol + ", which does not use SASL; use SASL_PLAINTEXT or SASL_SSL");
        }
        if (usesSasl && sasl.isEmpty() && !properties.containsKey(SaslConfigs.SASL_JAAS_CONFIG)) {
            throw new ConfigException(SECURITY_PROTOCOL.name() + " is " + securityProtocol + " but no SASL credentials"
                    + " are set: set " + SASL_MECHANISM.name() + ", " + SASL_USERNAME.name() + " and "
                    + SASL_PASSWORD.name() + " (env " + SASL_MECHANISM.envVar() + ", " + SASL_USERNAME.envVar() + ", "
                    + SASL_PASSWORD.envVar() + "), or a raw " + PROPERTIES.name() + "." + SaslConfigs.SASL_JAAS_CONFIG);
        }
        sasl.ifPresent(s -> {
            try {
                s.jaasConfig();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SASL_USERNAME.name() + " / " + SASL_PASSWORD.name() + ": " + e.getMessage());
            }
        });
        Map<String, Object> typed =
                typedProperties(bootstrapServers, clientId, securityProtocol, truststore, keystore, keyPassword, sasl);
        for (String raw : properties.keySet()) {
            if (typed.containsKey(raw)) {
                throw new ConfigException(PROPERTIES.name() + "." + raw + " repeats a setting Jobstream makes from its"
                        + " own keys; set it with the jobstream.kafka.* key instead");
            }
        }
    }

    /** A builder with every setting at its key's default; only {@link Builder#bootstrapServers} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = builder().bootstrapServers(bootstrapServers).securityProtocol(securityProtocol);
        clientId.ifPresent(b::clientId);
        truststore.ifPresent(b::truststore);
        keystore.ifPresent(b::keystore);
        keyPassword.ifPresent(b::keyPassword);
        sasl.ifPresent(b::sasl);
        return b.properties(properties);
    }

    /** Reads the settings from a loaded config whose definition includes {@link #DEFINITION}. */
    public static KafkaSettings from(Config config) {
        Builder b = builder()
                .bootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .securityProtocol(config.get(SECURITY_PROTOCOL))
                .properties(config.get(PROPERTIES));
        config.find(CLIENT_ID).ifPresent(b::clientId);
        Optional<String> truststoreLocation = config.find(TRUSTSTORE_LOCATION);
        if (truststoreLocation.isPresent()) {
            b.truststore(new Store(
                    truststoreLocation.get(), config.find(TRUSTSTORE_PASSWORD), config.find(TRUSTSTORE_TYPE)));
        } else {
            requireAbsent(config, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE);
        }
        Optional<String> keystoreLocation = config.find(KEYSTORE_LOCATION);
        if (keystoreLocation.isPresent()) {
            b.keystore(new Store(keystoreLocation.get(), config.find(KEYSTORE_PASSWORD), config.find(KEYSTORE_TYPE)));
            config.find(KEY_PASSWORD).ifPresent(b::keyPassword);
        } else {
            requireAbsent(config, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD);
        }
        Optional<SaslMechanism> mechanism = config.find(SASL_MECHANISM);
        Optional<String> username = config.find(SASL_USERNAME);
        Optional<Password> password = config.find(SASL_PASSWORD);
        if (mechanism.isPresent() || username.isPresent() || password.isPresent()) {
            List<String> missing = new ArrayList<>();
            for (ConfigKey<?> key : List.of(SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD)) {
                if (config.find(key).isEmpty()) {
                    missing.add(missing(key));
                }
            }
            if (!missing.isEmpty()) {
                throw new ConfigException(missing);
            }
            b.sasl(mechanism.get(), username.get(), password.get());
        }
        return b.build();
    }

    /** Properties for an admin client. */
    public Map<String, Object> adminProperties() {
        Map<String, Object> out =
                typedProperties(bootstrapServers, clientId, securityProtocol, truststore, keystore, keyPassword, sasl);
        properties.forEach((name, value) -> out.put(name, isSecret(name) ? kafkaPassword(Password.of(value)) : value));
        return Collections.unmodifiableMap(out);
    }

    /** Properties for a producer: {@code acks=all} and idempotence on, unless a raw property says otherwise. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(ProducerConfig.ACKS_CONFIG, "all");
        out.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        out.putAll(adminProperties());
        return Collections.unmodifiableMap(out);
    }

    /**
     * Properties for a consumer: the KIP-848 {@code consumer} group protocol and no auto-commit,
     * unless a raw property says otherwise.
     */
    public Map<String, Object> consumerProperties() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                GroupProtocol.CONSUMER.name().toLowerCase(Locale.ROOT));
        out.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        out.putAll(adminProperties());
        return Collections.unmodifiableMap(out);
    }

    /** Secrets are masked. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientId=" + clientId.orElse("")
                + ", securityProtocol=" + securityProtocol + ", truststore=" + truststore + ", keystore=" + keystore
                + ", sasl="
                + sasl.map(s -> s.mechanism() + " as " + s.username()).orElse("none")
                + ", properties=" + properties.keySet() + "]";
    }

    private static Map<String, Object> typedProperties(
            List<String> bootstrapServers,
            Optional<String> clientId,
            SecurityProtocol securityProtocol,
            Optional<Store> truststore,
            Optional<Store> keystore,
            Optional<Password> keyPassword,
            Optional<Sasl> sasl) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrapServers));
        clientId.ifPresent(id -> out.put(CommonClientConfigs.CLIENT_ID_CONFIG, id));
        out.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol.name);
        truststore.ifPresent(store -> {
            out.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, store.location());
            store.password().ifPresent(p -> out.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, kafkaPassword(p)));
            store.type().ifPresent(t -> out.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, t));
        });
        keystore.ifPresent(store -> {
            out.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, store.location());
            store.password().ifPresent(p -> out.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, kafkaPassword(p)));
            store.type().ifPresent(t -> out.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, t));
        });
        keyPassword.ifPresent(p -> out.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, kafkaPassword(p)));
        sasl.ifPresent(s -> {
            out.put(SaslConfigs.SASL_MECHANISM, s.mechanism().mechanismName());
            out.put(SaslConfigs.SASL_JAAS_CONFIG, new org.apache.kafka.common.config.types.Password(s.jaasConfig()));
        });
        return out;
    }

    /** Raw properties that hold secrets: {@code *.password}, {@code sasl.jaas.config}. */
    private static boolean isSecret(String name) {
        return name.endsWith(".password") || name.equals(SaslConfigs.SASL_JAAS_CONFIG);
    }

    private static org.apache.kafka.common.config.types.Password kafkaPassword(Password password) {
        return new org.apache.kafka.common.config.types.Password(password.value());
    }

    private static String missing(ConfigKey<?> key) {
        return "missing required key " + key.name() + ": set it in the config file or with env var " + key.envVar();
    }

    private static void requireAbsent(Config config, ConfigKey<?> location, ConfigKey<?>... dependents) {
        for (ConfigKey<?> key : dependents) {
            if (key != location && config.find(key).isPresent()) {
                throw new ConfigException(
                        key.name() + " is set but " + location.name() + " is not (env " + location.envVar() + ")");
            }
        }
    }

    /** Builds {@link KafkaSettings}; every setting starts at its key's default, {@link #build()} validates. */
    public static final class Builder {
        private List<String> bootstrapServers;
        private Optional<String> clientId = Optional.empty();
        private SecurityProtocol securityProtocol =
                SECURITY_PROTOCOL.defaultValue().orElseThrow();
        private Optional<Store> truststore = Optional.empty();
        private Optional<Store> keystore = Optional.empty();
        private Optional<Password> keyPassword = Optional.empty();
        private Optional<Sasl> sasl = Optional.empty();
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {}

        /** {@code host:port} of one or more brokers. */
        public Builder bootstrapServers(List<String> servers) {
            this.bootstrapServers = List.copyOf(servers);
            return this;
        }

        /** {@code host:port[,host:port...]}. */
        public Builder bootstrapServers(String servers) {
            return bootstrapServers(Values.parseList(servers));
        }

        /** The client id. */
        public Builder clientId(String id) {
            this.clientId = Optional.of(id);
            return this;
        }

        /** The security protocol (default PLAINTEXT). */
        public Builder securityProtocol(SecurityProtocol protocol) {
            this.securityProtocol = protocol;
            return this;
        }

        /** The TLS trust store. */
        public Builder truststore(Store store) {
            this.truststore = Optional.of(store);
            return this;
        }

        /** The TLS trust store: location, password, type (JKS, PKCS12, PEM). */
        public Builder truststore(String location, String password, String type) {
            return truststore(Store.of(location, password, type));
        }

        /** The TLS key store (mutual TLS). */
        public Builder keystore(Store store) {
            this.keystore = Optional.of(store);
            return this;
        }

        /** The TLS key store: location, password, type (JKS, PKCS12, PEM). */
        public Builder keystore(String location, String password, String type) {
            return keystore(Store.of(location, password, type));
        }

        /** Password of the private key, when it differs from the key store's. */
        public Builder keyPassword(Password password) {
            this.keyPassword = Optional.of(password);
            return this;
        }

        /** SASL credentials. */
        public Builder sasl(Sasl credentials) {
            this.sasl = Optional.of(credentials);
            return this;
        }

        /** SASL with a username and password. */
        public Builder sasl(SaslMechanism mechanism, String username, Password password) {
            return sasl(new Sasl(mechanism, username, password));
        }

        /** SASL with a username and password. */
        public Builder sasl(SaslMechanism mechanism, String username, String password) {
            return sasl(mechanism, username, Password.of(password));
        }

        /** A raw Kafka client property, passed through as is. */
        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Raw Kafka client properties, passed through as is. */
        public Builder properties(Map<String, String> raw) {
            properties.putAll(raw);
            return this;
        }

        /**
         * The settings.
         *
         * @throws ConfigException when they do not fit together, naming the key
         */
        public KafkaSettings build() {
            return new KafkaSettings(
                    bootstrapServers, clientId, securityProtocol, truststore, keystore, keyPassword, sasl, properties);
        }
    }
}
