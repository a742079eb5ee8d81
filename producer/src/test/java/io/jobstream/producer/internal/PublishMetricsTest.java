package io.jobstream.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.producer.PublisherMeters;
import io.jobstream.runtime.TagValues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class PublishMetricsTest {

    @Test
    void typesFromInputAddAtMostTheCapOfSeriesPerQueue() {
        // Given the publisher's metrics
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PublishMetrics metrics = new PublishMetrics(registry);

        // When a client publishes 500 jobs, each of a new type
        for (int i = 0; i < 500; i++) {
            metrics.count("jobs", "type-" + i, PublishMetrics.Outcome.ACKNOWLEDGED);
        }

        // Then the queue has at most the cap's series plus one "other", and every job is counted
        assertThat(registry.find(PublisherMeters.JOBS_PUBLISHED.spec().name()).counters())
                .hasSize(TagValues.DEFAULT_MAX + 1);
        assertThat(registry.find(PublisherMeters.JOBS_PUBLISHED.spec().name())
                        .tag("type", TagValues.OTHER)
                        .counter()
                        .count())
                .isEqualTo(500 - TagValues.DEFAULT_MAX);
    }
}
