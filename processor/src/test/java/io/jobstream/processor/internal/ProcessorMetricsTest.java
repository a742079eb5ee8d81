package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

    @Test
    void endToEndIsFromTheFirstPublishToSuccessAndEveryTimeHasHistogramBuckets() {
        // Given the processor's meters on a Prometheus registry and a fixed clock
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        ProcessorMetrics metrics = new ProcessorMetrics(registry, "jobs", Clock.fixed(now, ZoneOffset.UTC));

        // When a job first published 90 s ago succeeds (after retries), and one started 2 s after it was due
        metrics.completed("send", now.minusSeconds(90).toEpochMilli());
        metrics.started("send", now.minusSeconds(2).toEpochMilli());
        // and one whose due time is ahead of this clock (another producer's clock) starts
        metrics.started("send", now.plusSeconds(5).toEpochMilli());

        // Then both are histograms, the success is counted, and a due time in the future is no wait, not a negative one
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("jobstream_job_end_to_end_seconds_bucket{queue=\"jobs\",type=\"send\",le=\"60.0\"} 0")
                .contains("jobstream_job_end_to_end_seconds_bucket{queue=\"jobs\",type=\"send\",le=\"300.0\"} 1")
                .contains("jobstream_job_queue_wait_seconds_bucket{queue=\"jobs\",type=\"send\",le=\"0.01\"} 1")
                .contains("jobstream_job_queue_wait_seconds_bucket{queue=\"jobs\",type=\"send\",le=\"5.0\"} 2")
                .contains("jobstream_job_queue_wait_seconds_sum{queue=\"jobs\",type=\"send\"} 2.0")
                .contains("jobstream_jobs_completed_total{queue=\"jobs\",type=\"send\"} 1.0");
    }
}
