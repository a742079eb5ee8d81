package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code jobstream.worker.types.<type>.*} read into {@link CoordinationRules}, and the rules' builder. */
class CoordinationRulesTest {

    private static Map<String, CoordinationRules> read(String yaml, Map<String, String> env) {
        Config config = ConfigLoader.forDefinition(ConfigDefinition.of(CoordinationRules.TYPES))
                .withYaml(yaml)
                .withEnvironment(env)
                .load();
        return CoordinationRules.from(config);
    }

    private static Map<String, CoordinationRules> fromEnv(Map<String, String> env) {
        return read("jobstream: {}", env);
    }

    @Test
    void readsLockSemaphoreRateAndIdempotencyPerTypeFromAFile() {
        // Given a config file declaring rules for three types, one with a dot in its name
        String yaml = """
                jobstream:
                  worker:
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
                """;

        // When the rules are read
        Map<String, CoordinationRules> rules = read(yaml, Map.of());

        // Then each type has its rules
        CoordinationRules charge = rules.get("charge");
        assertThat(charge.lock()).hasValueSatisfying(lock -> {
            assertThat(lock.key()).hasToString("acct-${payload.accountId}");
            assertThat(lock.lease()).isEqualTo(Duration.ofSeconds(10));
        });
        assertThat(charge.idempotent()).isTrue();
        assertThat(charge.semaphore()).isEmpty();
        assertThat(rules.get("stripe.refund").semaphore())
                .contains(new CoordinationRules.SemaphoreRule("stripe-api", 100));
        assertThat(rules.get("send_email").rate()).contains(new CoordinationRules.RateRule("smtp", 50, 10));
        assertThat(rules).containsOnlyKeys("charge", "stripe.refund", "send_email");
    }

    @Test
    void readsRulesFromEnvVarsWithTheLockLeaseDefaulted() {
        CoordinationRules charge = fromEnv(Map.of(
                        "JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_KEY", "${id}",
                        "JOBSTREAM_WORKER_TYPES_CHARGE_RATE_NAME", "psp",
                        "JOBSTREAM_WORKER_TYPES_CHARGE_RATE_PER_SECOND", "2.5"))
                .get("charge");

        assertThat(charge.lock())
                .hasValueSatisfying(lock -> assertThat(lock.lease()).isEqualTo(CoordinationRules.DEFAULT_LOCK_LEASE));
        assertThat(charge.rate()).contains(new CoordinationRules.RateRule("psp", 2.5, 1));
    }

    @Test
    void rejectsBadRulesNamingTheFullKey() {
        assertThatThrownBy(() -> fromEnv(Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOK_KEY", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lok.key");
        assertThatThrownBy(() -> fromEnv(Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_KEY", "${account}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lock.key")
                .hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> fromEnv(Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_NAME", "pool")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.semaphore.permits");
        assertThatThrownBy(() -> fromEnv(Map.of(
                        "JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_NAME", "pool",
                        "JOBSTREAM_WORKER_TYPES_CHARGE_SEMAPHORE_PERMITS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.semaphore.permits");
        assertThatThrownBy(() -> fromEnv(Map.of("JOBSTREAM_WORKER_TYPES_CHARGE_LOCK_LEASE", "10s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.worker.types.charge.lock.key");
    }

    @Test
    void toBuilderKeepsEveryRuleAndChangesOnlyWhatIsSet() {
        // Given rules with a lock and a semaphore
        CoordinationRules rules = CoordinationRules.builder()
                .lock(KeyTemplate.parse("acct-${payload.account}"), Duration.ofSeconds(10))
                .semaphore("stripe-api", 4)
                .build();

        // When copied with idempotency added
        CoordinationRules copy = rules.toBuilder().idempotent(true).build();

        // Then the copy has both rules and the new setting, and the original is unchanged
        assertThat(rules.toBuilder().build()).isEqualTo(rules);
        assertThat(copy.lock()).isEqualTo(rules.lock());
        assertThat(copy.semaphore()).isEqualTo(rules.semaphore());
        assertThat(copy.idempotent()).isTrue();
        assertThat(rules.idempotent()).isFalse();
        assertThat(CoordinationRules.builder().build()).isEqualTo(CoordinationRules.NONE);
    }
}
