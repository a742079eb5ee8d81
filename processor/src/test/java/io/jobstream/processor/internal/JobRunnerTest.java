package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.KafkaSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobRunnerTest {
    private static final KafkaSettings KAFKA =
            KafkaSettings.builder().bootstrapServers("localhost:9092").build();

    @Test
    void sweepsForTimeoutsEveryTenthOfTheShortestTimeoutWithinFiveToFiftyMillis() {
        // Given the default five-minute timeout, a 200 ms type timeout, and a 10 ms one
        ProcessorConfig defaults = ProcessorConfig.builder("jobs", KAFKA).build();
        ProcessorConfig shortType = ProcessorConfig.builder("jobs", KAFKA)
                .typeTimeout("quick", Duration.ofMillis(200))
                .build();
        ProcessorConfig tiny = ProcessorConfig.builder("jobs", KAFKA)
                .jobTimeout(Duration.ofMillis(10))
                .build();

        // When the sweep period is derived, then it is a tenth of the shortest timeout, clamped to 5..50 ms
        assertThat(JobRunner.sweepPeriod(defaults)).isEqualTo(Duration.ofMillis(50));
        assertThat(JobRunner.sweepPeriod(shortType)).isEqualTo(Duration.ofMillis(20));
        assertThat(JobRunner.sweepPeriod(tiny)).isEqualTo(Duration.ofMillis(5));
    }
}
