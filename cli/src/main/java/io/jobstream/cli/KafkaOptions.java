package io.jobstream.cli;

import io.jobstream.runtime.CheckResult;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessCheck;
import io.jobstream.runtime.ReadinessChecks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to Kafka shares. Flags win over env vars ({@code JOBSTREAM_*}), which win over
 * the config file, which wins over the defaults.
 */
final class KafkaOptions {
    @Option(
            names = {"--bootstrap-servers", "--bootstrap-server"},
            paramLabel = "HOST:PORT[,...]",
            description =
                    "Kafka bootstrap servers (key jobstream.kafka.bootstrap-servers); --bootstrap-server, Kafka's own spelling, works too.")
    String bootstrapServers;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML config file; $${ENV} and $${ENV:-default} are substituted.")
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

    /**
     * {@code settings}, once the brokers answered: one-shot commands fail at once with one line naming the bootstrap
     * servers instead of waiting out each Kafka call's own timeout (or, for a listing, printing an empty result).
     * While it waits, the Kafka client's per-attempt connection warnings are held back, so the one line is all a
     * person sees; once the brokers answer, the client logs as configured again.
     *
     * @throws IllegalStateException when the brokers do not answer within 5 s
     */
    static KafkaSettings reachable(KafkaSettings settings) {
        Level before = LogManager.getLogger(NETWORK_CLIENT).getLevel();
        Configurator.setLevel(NETWORK_CLIENT, Level.ERROR);
        try (ReadinessCheck check = ReadinessChecks.kafka(settings.adminProperties(), REACHABLE_WITHIN)) {
            if (check.check() instanceof CheckResult.Down down) {
                // the operator's own terminal: the detail (the addresses tried) is shown, unlike on /ready
                throw new IllegalStateException("Kafka is not reachable: " + down.reason()
                        + (down.detail().isEmpty() ? "" : " (" + down.detail() + ")")
                        + " (check --bootstrap-servers / " + KafkaSettings.BOOTSTRAP_SERVERS.envVar() + ")");
            }
            Configurator.setLevel(NETWORK_CLIENT, before);
            return settings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka brokers", e);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot check the Kafka brokers: " + e.getMessage(), e);
        }
    }

    /** The Kafka client logger that warns once per connection attempt. */
    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";

    private static final Duration REACHABLE_WITHIN = Duration.ofSeconds(5);
}
