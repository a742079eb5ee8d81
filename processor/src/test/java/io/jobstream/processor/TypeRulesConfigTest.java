package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code jobstream.worker.types.<type>.*}, the coordination and event settings, read from a config file. */
class TypeRulesConfigTest {

    private static ConfigLoader loader(String yaml, Map<String, String> env) {
        return ConfigLoader.forDefinition(ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION))
                .withYaml(yaml)
                .withEnvironment(env);
    }

    @Test
    void readsLockSemaphoreRateAndIdempotencyPerTypeFromAFile() {
        // Given a config file declaring rules for three types (one with a dot in its name) and the event level
        Config config = loader("""
                        jobstream:
                          kafka:
                            bootstrap-servers: localhost:9092
                          worker:
                            queue: payments
                            events: all
                            coordination-wait: 500ms
                            defer-delay: 1s
                            delay-tiers: [1s, 1m]
                            idempotency-retention: 1d
                            types:
                              charge:
                                lock:
                                  key: "acct-${payload.accountId}"
                                  lease: 10s
                                idempotent: true
                              stripe.refund:
                                semaphore: {name: stripe-api, permits: 100}
                              send_email:
                                rate: {name: smtp, per-second: 50, burst: 10}
                        """, Map.of()).load();

        // When the processor config is read
        ProcessorConfig processor = ProcessorConfig.from(config);

        // Then each type has its rules and the other settings are taken
        CoordinationRules charge = processor.rulesOf("charge");
        assertThat(charge.lock()).hasValueSatisfying(lock -> {
            assertThat(lock.key()).hasToString("acct-${payload.accountId}");
            assertThat(lock.lease()).isEqualTo(Duration.ofSeconds(10));
        });
        assertThat(charge.idempotent()).isTrue();
        assertThat(charge.semaphore()).isEmpty();
        assertThat(processor.rulesOf("stripe.refund").semaphore())
                .contains(new CoordinationRules.SemaphoreRule("stripe-api", 100));
        assertThat(processor.rulesOf("send_email").rate()).contains(new CoordinationRules.RateRule("smtp", 50, 10));
        assertThat(processor.rulesOf("other")).isEqualTo(CoordinationRules.NONE);
        assertThat(processor.events()).isEqualTo(EventLevel.ALL);
        assertThat(processor.coordinationWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(processor.deferDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(processor.delayTiers()).isEqualTo(DelayTiers.of(Duration.ofSeconds(1), Duration.ofMinutes(1)));
        assertThat(processor.idempotencyRetention()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void readsRulesFromEnvVarsWithTheLockLeaseDefaulted() {
        Config config = loader(
                        "jobstream: {kafka: {bootstrap-servers: localhost:9092}, worker: {queue: payments}}",
                        Map.of(
                                "JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_KEY", "${id}",
                                "JOBSTREAM_WORKER_TYPES_CHARGE_RATE_NAME", "psp",
                                "JOBSTREAM_WORKER_TYPES_CHARGE_RATE_PER_SECOND", "2.5"))
                .load();

        CoordinationRules charge = ProcessorConfig.from(config).rulesOf("charge");

        assertThat(charge.lock())
                .hasValueSatisfying(lock -> assertThat(lock.lease()).isEqualTo(ProcessorConfig.DEFAULT_LOCK_LEASE));
        assertThat(charge.rate()).contains(new CoordinationRules.RateRule("psp", 2.5, 1));
    }

    @Test
    void defaultsAreOutcomeEventsATwoSecondWaitAndNoRules() {
        ProcessorConfig config = ProcessorConfig.builder(
                        "payments",
                        KafkaSettings.builder()
                                .bootstrapServers("localhost:9092")
                                .build())
                .build();

        assertThat(config.events()).isEqualTo(EventLevel.OUTCOMES);
        assertThat(config.coordinationWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.deferDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.delayTiers()).isEqualTo(DelayTiers.defaults());
        assertThat(config.typeRules()).isEmpty();
    }

    @Test
    void rejectsBadRulesNamingTheFullKey() {
        String base = "jobstream: {kafka: {bootstrap-servers: localhost:9092}, worker: {queue: payments}}";

        assertThatThrownBy(() -> ProcessorConfig.from(loader(base, Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOK_KEY", "x"))
                        .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lok.key");
        assertThatThrownBy(() -> ProcessorConfig.from(
                        loader(base, Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_KEY", "${account}"))
                                .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lock.key")
                .hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> ProcessorConfig.from(
                        loader(base, Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_NAME", "pool"))
                                .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.semaphore.permits");
        assertThatThrownBy(() -> ProcessorConfig.from(loader(
                                base,
                                Map.of(
                                        "JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_NAME", "pool",
                                        "JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_PERMITS", "many"))
                        .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.semaphore.permits");
        assertThatThrownBy(() ->
                        ProcessorConfig.from(loader(base, Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_LEASE", "10s"))
                                .load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lock.key");
        assertThatThrownBy(() -> loader(base, Map.of("JOBSTREAM_WORKER_DELAY_TIERS", "1s,soon"))
                        .load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.delay-tiers");
    }
}
