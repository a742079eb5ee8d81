package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's per-type coordination config example loads and means what the README says. */
class ReadmeConfigExampleTest {

    private static String firstYamlBlock() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```yaml\n");
        int end = readme.indexOf("```", start + 8);
        return readme.substring(start + 8, end);
    }

    @Test
    void theTypesExampleLoads() throws IOException {
        // Given the README's YAML example
        Config config = ConfigLoader.forDefinition(
                        ProcessorConfig.DEFINITION.and(KafkaSettings.DEFINITION).and(CoordinationConfig.DEFINITION))
                .withYaml(firstYamlBlock())
                .withEnvironment(Map.of("JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"))
                .load();

        // When it is read
        ProcessorConfig processor = ProcessorConfig.from(config);

        // Then it declares what the README's comments say
        assertThat(CoordinationConfig.from(config).orElseThrow().redisUri()).isEqualTo("redis://redis:6379");
        assertThat(processor.coordinationWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(processor.deferDelay()).isEqualTo(Duration.ofSeconds(5));
        CoordinationRules charge = processor.rulesOf("charge");
        assertThat(charge.lock().orElseThrow().key()).hasToString("acct-${payload.accountId}");
        assertThat(charge.lock().orElseThrow().lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(charge.idempotent()).isTrue();
        assertThat(processor.rulesOf("refund").semaphore())
                .contains(new CoordinationRules.SemaphoreRule("stripe-api", 100));
        assertThat(processor.rulesOf("send_receipt").rate()).contains(new CoordinationRules.RateRule("smtp", 50, 10));
    }
}
