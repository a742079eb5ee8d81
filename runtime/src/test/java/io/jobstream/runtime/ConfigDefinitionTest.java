package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigDefinitionTest {

    @Test
    void combinesModulesDefinitionsInOrder() {
        ConfigDefinition combined = RuntimeConfig.DEFINITION.and(KafkaSettings.DEFINITION);

        assertThat(combined.keys())
                .hasSize(RuntimeConfig.DEFINITION.keys().size()
                        + KafkaSettings.DEFINITION.keys().size());
        assertThat(combined.keys().get(0)).isEqualTo(RuntimeConfig.ADMIN_HOST);
        assertThat(combined.find("jobstream.kafka.sasl.mechanism")).contains(KafkaSettings.SASL_MECHANISM);
    }

    @Test
    void sameKeyTwiceIsKeptOnce() {
        ConfigDefinition twice = ConfigDefinition.combine(RuntimeConfig.DEFINITION, RuntimeConfig.DEFINITION);

        assertThat(twice.keys()).hasSameSizeAs(RuntimeConfig.DEFINITION.keys());
    }

    @Test
    void twoDifferentKeysWithOneNameAreRejected() {
        ConfigKey<Duration> other = ConfigKey.durationKey("jobstream.runtime.shutdown-timeout")
                .defaultValue(Duration.ofSeconds(5))
                .build();

        assertThatThrownBy(() -> ConfigDefinition.of(RuntimeConfig.SHUTDOWN_TIMEOUT, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobstream.runtime.shutdown-timeout");
    }

    @Test
    void keysSharingAnEnvVarAreRejected() {
        ConfigKey<String> dotted =
                ConfigKey.stringKey("jobstream.worker.max.attempts").optional().build();
        ConfigKey<String> dashed =
                ConfigKey.stringKey("jobstream.worker.max-attempts").optional().build();

        assertThatThrownBy(() -> ConfigDefinition.of(dotted, dashed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JOBSTREAM_WORKER_MAX_ATTEMPTS");
    }

    @Test
    void keyNamesMustBeKebabCaseUnderJobstream() {
        assertThatThrownBy(() -> ConfigKey.intKey("worker.concurrency")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigKey.intKey("jobstream.worker.maxAttempts"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigKey.intKey("jobstream.worker.max_attempts"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultBreakingItsValidatorIsRejected() {
        assertThatThrownBy(() -> ConfigKey.intKey("jobstream.worker.concurrency")
                        .defaultValue(0)
                        .validator(ConfigValidator.atLeast(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobstream.worker.concurrency");
    }

    @Test
    void keyWithoutDefaultIsRequiredUnlessOptional() {
        assertThat(ConfigKey.stringKey("jobstream.worker.queue").build().required())
                .isTrue();
        assertThat(ConfigKey.stringKey("jobstream.worker.queue")
                        .optional()
                        .build()
                        .required())
                .isFalse();
        assertThat(ConfigKey.stringKey("jobstream.worker.queue")
                        .defaultValue("q")
                        .build()
                        .required())
                .isFalse();
        assertThat(ConfigKey.stringKey("jobstream.worker.queue").build().envVar())
                .isEqualTo("JOBSTREAM_WORKER_QUEUE");
    }
}
