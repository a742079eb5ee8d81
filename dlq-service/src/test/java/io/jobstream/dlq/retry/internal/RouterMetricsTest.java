package io.jobstream.dlq.retry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.runtime.TagValues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

    @Test
    void deadLettersOfManyTypesAddAtMostTheCapOfSeries() {
        // Given the router's metrics of one queue
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouterMetrics metrics = new RouterMetrics(registry, "jobs");

        // When 300 jobs of 300 types are dead-lettered and retried
        for (int i = 0; i < 300; i++) {
            metrics.deadLettered("type-" + i, "HANDLER_ERROR");
            metrics.retryScheduled("type-" + i, "HANDLER_ERROR");
        }

        // Then each counter has at most the cap's series plus "other"
        assertThat(registry.find(DlqMeters.DEAD_LETTERS.spec().name()).counters())
                .hasSize(TagValues.DEFAULT_MAX + 1);
        assertThat(registry.find(DlqMeters.RETRIES_SCHEDULED.spec().name()).counters())
                .hasSize(TagValues.DEFAULT_MAX + 1);
    }
}
