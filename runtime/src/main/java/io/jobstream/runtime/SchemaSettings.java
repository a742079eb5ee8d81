package io.jobstream.runtime;

import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.SerdeConfig.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code jobstream.schemas.*} keys: how every role that encodes or decodes records (api, worker, dlq-service,
 * scheduler, replay, job status, the operator commands) writes them and reaches the schema registry. One definition,
 * read by all of them, so the roles of one deployment cannot disagree about the wire format.
 *
 * <p>Reading never depends on {@link #WRITE_FORMAT}: every role decodes all three formats (Avro single-object,
 * Confluent framed, JSON envelope for jobs), the Confluent one whenever {@link #REGISTRY_URL} is set.
 */
public final class SchemaSettings {
    /** What serializers write. */
    public static final ConfigKey<WireFormat> WRITE_FORMAT = ConfigKey.enumKey(
                    SerdeConfig.WRITE_FORMAT, WireFormat.class)
            .defaultValue(WireFormat.SINGLE_OBJECT)
            .doc("What this role writes (jobs, and the .failed, .dlq, .events and delay records it derives):"
                    + " single-object (Avro single-object encoding, no registry) or confluent (Confluent wire"
                    + " format, schemas registered under <topic>-value; needs jobstream.schemas.registry.url)."
                    + " Reading detects the format of each record, whatever this says.")
            .build();

    /** The registry's URLs. */
    public static final ConfigKey<List<String>> REGISTRY_URL = ConfigKey.listKey(SchemaRegistryConfig.URL)
            .optional()
            .doc("Confluent-compatible schema registry base URL(s), comma-separated, tried in order (a path is kept:"
                    + " http://host:8080/apis/ccompat/v7). Needed to write confluent, and to read Confluent-framed"
                    + " records: without it they fail with UNKNOWN_SCHEMA.")
            .build();

    /** Basic auth. */
    public static final ConfigKey<Password> BASIC_AUTH_USER_INFO = ConfigKey.passwordKey(
                    SchemaRegistryConfig.BASIC_AUTH_USER_INFO)
            .optional()
            .doc("user:password for HTTP basic auth (Confluent Cloud: API key:secret).")
            .build();

    /** Bearer auth. */
    public static final ConfigKey<Password> BEARER_AUTH_TOKEN = ConfigKey.passwordKey(
                    SchemaRegistryConfig.BEARER_AUTH_TOKEN)
            .optional()
            .doc("A token sent as Authorization: Bearer <token>; not together with basic auth.")
            .build();

    /** Connect timeout. */
    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.durationKey(
                    SchemaRegistryConfig.CONNECT_TIMEOUT)
            .defaultValue(SchemaRegistryConfig.DEFAULT_CONNECT_TIMEOUT)
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(5)))
            .doc("How long connecting to a registry URL may take before the next URL is tried.")
            .build();

    /** Request timeout. */
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.durationKey(
                    SchemaRegistryConfig.REQUEST_TIMEOUT)
            .defaultValue(SchemaRegistryConfig.DEFAULT_REQUEST_TIMEOUT)
            .validator(ConfigValidator.range(Duration.ofMillis(1), Duration.ofMinutes(5)))
            .doc("How long one registry request may take; past it the registry counts as unavailable"
                    + " (REGISTRY_UNAVAILABLE, retried).")
            .build();

    /** Trust store file. */
    public static final ConfigKey<String> TRUSTSTORE_LOCATION = ConfigKey.stringKey(
                    SchemaRegistryConfig.TRUSTSTORE_LOCATION)
            .optional()
            .doc("Trust store file (PKCS12 or JKS) for an https registry whose certificate the JVM does not trust.")
            .build();

    /** Trust store password. */
    public static final ConfigKey<Password> TRUSTSTORE_PASSWORD = ConfigKey.passwordKey(
                    SchemaRegistryConfig.TRUSTSTORE_PASSWORD)
            .optional()
            .doc("Password of the registry trust store.")
            .build();

    /** Trust store type. */
    public static final ConfigKey<String> TRUSTSTORE_TYPE = ConfigKey.stringKey(SchemaRegistryConfig.TRUSTSTORE_TYPE)
            .defaultValue("PKCS12")
            .validator(ConfigValidator.notBlank())
            .doc("Type of the registry trust store: PKCS12 or JKS.")
            .build();

    /** Every {@code jobstream.schemas.*} key. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            WRITE_FORMAT,
            REGISTRY_URL,
            BASIC_AUTH_USER_INFO,
            BEARER_AUTH_TOKEN,
            CONNECT_TIMEOUT,
            REQUEST_TIMEOUT,
            TRUSTSTORE_LOCATION,
            TRUSTSTORE_PASSWORD,
            TRUSTSTORE_TYPE);

    private SchemaSettings() {}

    /**
     * The serde settings of a config whose definition includes {@link #DEFINITION}.
     *
     * @throws ConfigException naming the keys when they do not fit together (confluent without a registry, two auth
     *     methods)
     */
    public static SerdeConfig from(Config config) {
        try {
            return new SerdeConfig(config.get(WRITE_FORMAT), registry(config).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static Optional<SchemaRegistryConfig> registry(Config config) {
        Optional<String> urls =
                config.find(REGISTRY_URL).map(list -> String.join(",", list)).filter(text -> !text.isBlank());
        if (urls.isEmpty()) {
            return Optional.empty();
        }
        SchemaRegistryConfig.TrustStore trustStore = config.find(TRUSTSTORE_LOCATION)
                .map(location -> new SchemaRegistryConfig.TrustStore(
                        Path.of(location),
                        config.find(TRUSTSTORE_PASSWORD).map(Password::value).orElse(null),
                        config.get(TRUSTSTORE_TYPE)))
                .orElse(null);
        return Optional.of(SchemaRegistryConfig.builder(urls.get())
                .basicAuth(
                        config.find(BASIC_AUTH_USER_INFO).map(Password::value).orElse(null))
                .bearerAuth(config.find(BEARER_AUTH_TOKEN).map(Password::value).orElse(null))
                .timeouts(config.get(CONNECT_TIMEOUT), config.get(REQUEST_TIMEOUT))
                .trustStore(trustStore)
                .build());
    }
}
