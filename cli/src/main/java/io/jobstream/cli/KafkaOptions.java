package io.jobstream.cli;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to Kafka shares. Flags win over env vars ({@code JOBSTREAM_*}), which win over
 * the config file, which wins over the defaults.
 */
final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (key jobstream.kafka.bootstrap-servers).")
    String bootstrapServers;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML config file; ${ENV} and ${ENV:-default} are substituted.")
    Path config;

    /** The resolved configuration for {@code definition} plus the Kafka keys. */
    Config load(ConfigDefinition definition, Map<String, Object> flags) {
        Map<String, Object> overrides = new HashMap<>(flags);
        if (bootstrapServers != null) {
            overrides.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        }
        ConfigLoader loader = ConfigLoader.forDefinition(definition.and(KafkaSettings.DEFINITION))
                .withEnvironment(System.getenv())
                .withOverrides(overrides);
        if (config != null) {
            loader = loader.withFile(config);
        }
        return loader.load();
    }

    KafkaSettings kafkaSettings() {
        return KafkaSettings.from(load(ConfigDefinition.of(), Map.of()));
    }
}
