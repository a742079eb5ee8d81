package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessorMetricsTest {
    @Test
    void jobDurationIsAPrometheusHistogramSoP95CanBeComputedAcrossReplicas() {
        // Given the processor's meters on a Prometheus registry
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessorMetrics metrics = new ProcessorMetrics(registry, "jobs");

        // When a 300 ms job and a 4 s job succeed
        metrics.duration("send", "succeeded", Duration.ofMillis(300).toNanos());
        metrics.duration("send", "succeeded", Duration.ofSeconds(4).toNanos());

        // Then the scrape has cumulative buckets for histogram_quantile (the dashboard's p95 panel was empty without)
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains(
                        "jobstream_job_duration_seconds_bucket{outcome=\"succeeded\",queue=\"jobs\",type=\"send\",le=\"0.25\"} 0")
                .contains(
                        "jobstream_job_duration_seconds_bucket{outcome=\"succeeded\",queue=\"jobs\",type=\"send\",le=\"0.5\"} 1")
                .contains(
                        "jobstream_job_duration_seconds_bucket{outcome=\"succeeded\",queue=\"jobs\",type=\"send\",le=\"5.0\"} 2")
                .contains(
                        "jobstream_job_duration_seconds_bucket{outcome=\"succeeded\",queue=\"jobs\",type=\"send\",le=\"+Inf\"} 2");
    }
}
