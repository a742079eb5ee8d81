package io.jobstream.dlq.lag.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.lag.GroupLag;
import io.jobstream.dlq.lag.LagSnapshot;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.dlq.lag.PartitionLag;
import io.jobstream.runtime.MeterDocs;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LagMetersTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void everyMeterIsCatalogued() {
        assertThat(MeterDocs.uncatalogued(registry, List.of(DlqMeters.values())))
                .isEmpty();
    }

    private final LagMeters meters = new LagMeters(registry);

    private static PartitionLag partition(String group, int p, long lag, long lagMillis) {
        return new PartitionLag(
                group, "emails", p, 0, lag, lag, Duration.ofMillis(lagMillis), false, LagStatus.OK, Optional.empty());
    }

    private static GroupLag group(String group, LagStatus status, PartitionLag... partitions) {
        return new GroupLag(group, "STABLE", 1, status, Optional.empty(), List.of(partitions));
    }

    private Gauge find(String name, String... tags) {
        return registry.find(name).tags(tags).gauge();
    }

    @Test
    void registersEachGaugeOnceAndUpdatesItInPlace() {
        // Given a snapshot with two partitions
        meters.update(new LagSnapshot(
                T0, List.of(group("emails.workers", LagStatus.OK, partition("emails.workers", 0, 10, 1_500)))));
        Gauge lag = find(
                DlqMeters.CONSUMER_LAG.spec().name(), "group", "emails.workers", "topic", "emails", "partition", "0");
        // When the next snapshot has other values
        meters.update(new LagSnapshot(
                T0.plusSeconds(1),
                List.of(group("emails.workers", LagStatus.OK, partition("emails.workers", 0, 30, 2_500)))));
        // Then the same gauges show them
        assertThat(find(DlqMeters.CONSUMER_LAG.spec().name(), "group", "emails.workers", "partition", "0"))
                .isSameAs(lag);
        assertThat(lag.value()).isEqualTo(30);
        assertThat(find(DlqMeters.CONSUMER_LAG_TIME.spec().name(), "group", "emails.workers", "partition", "0")
                        .value())
                .isEqualTo(2.5);
        assertThat(registry.find(DlqMeters.CONSUMER_LAG.spec().name()).gauges()).hasSize(1);
    }

    @Test
    void aQueuesDepthIsTheLargestLagPerPartitionSummed() {
        // Given two groups on emails: partition 0 lags 100 and 40, partition 1 lags 7
        meters.update(new LagSnapshot(
                T0,
                List.of(
                        group("emails.workers", LagStatus.OK, partition("emails.workers", 0, 100, 0)),
                        group("audit", LagStatus.OK, partition("audit", 0, 40, 0), partition("audit", 1, 7, 0)))));
        // Then the depth of emails is 107
        assertThat(find(DlqMeters.QUEUE_DEPTH.spec().name(), "queue", "emails").value())
                .isEqualTo(107);
    }

    @Test
    void aQueuesOldestJobAgeIsTheLargestTimeLagOfAnyGroupAndPartition() {
        // Given two groups on emails: the oldest waiting record is 90 s old (audit, partition 1)
        meters.update(new LagSnapshot(
                T0,
                List.of(
                        group("emails.workers", LagStatus.OK, partition("emails.workers", 0, 100, 30_000)),
                        group(
                                "audit",
                                LagStatus.OK,
                                partition("audit", 0, 40, 2_000),
                                partition("audit", 1, 7, 90_000)))));
        assertThat(find(DlqMeters.QUEUE_OLDEST_AGE.spec().name(), "queue", "emails")
                        .value())
                .isEqualTo(90.0);

        // When the old jobs are taken, Then the age drops; and when the queue leaves the snapshot, the gauge goes
        meters.update(new LagSnapshot(
                T0.plusSeconds(5),
                List.of(group("emails.workers", LagStatus.OK, partition("emails.workers", 0, 3, 1_500)))));
        assertThat(find(DlqMeters.QUEUE_OLDEST_AGE.spec().name(), "queue", "emails")
                        .value())
                .isEqualTo(1.5);
        meters.update(new LagSnapshot(T0.plusSeconds(10), List.of()));
        assertThat(find(DlqMeters.QUEUE_OLDEST_AGE.spec().name(), "queue", "emails"))
                .isNull();
    }

    @Test
    void theStatusGaugeCarriesTheStatusAsTagAndCode() {
        // Given a group that goes from OK to STOP
        meters.update(new LagSnapshot(T0, List.of(group("g", LagStatus.OK, partition("g", 0, 0, 0)))));
        meters.update(new LagSnapshot(T0, List.of(group("g", LagStatus.STOP, partition("g", 0, 5, 0)))));
        // Then only the STOP gauge remains, with code 4
        assertThat(find(DlqMeters.CONSUMER_STATUS.spec().name(), "group", "g", "status", "OK"))
                .isNull();
        assertThat(find(DlqMeters.CONSUMER_STATUS.spec().name(), "group", "g", "status", "STOP")
                        .value())
                .isEqualTo(4);
    }

    @Test
    void removesTheGaugesOfPartitionsTopicsAndGroupsThatLeft() {
        // Given a group with two partitions, then one, then no group at all
        meters.update(new LagSnapshot(
                T0, List.of(group("g", LagStatus.OK, partition("g", 0, 1, 0), partition("g", 1, 2, 0)))));
        meters.update(new LagSnapshot(T0, List.of(group("g", LagStatus.OK, partition("g", 0, 1, 0)))));
        assertThat(find(DlqMeters.CONSUMER_LAG.spec().name(), "group", "g", "partition", "1"))
                .isNull();
        assertThat(find(DlqMeters.CONSUMER_LAG_TIME.spec().name(), "group", "g", "partition", "1"))
                .isNull();
        assertThat(find(DlqMeters.QUEUE_DEPTH.spec().name(), "queue", "emails").value())
                .isEqualTo(1);
        meters.update(new LagSnapshot(T0, List.of()));
        // Then nothing is left
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void anUnreadableGroupKeepsItsLastValues() {
        // Given a group read once, then unreadable
        meters.update(new LagSnapshot(T0, List.of(group("g", LagStatus.OK, partition("g", 0, 9, 0)))));
        meters.update(new LagSnapshot(
                T0, List.of(new GroupLag("g", "UNKNOWN", 0, LagStatus.ERR, Optional.of("timeout"), List.of()))));
        // Then its partition gauges keep their values and its status is ERR
        assertThat(find(DlqMeters.CONSUMER_LAG.spec().name(), "group", "g", "partition", "0")
                        .value())
                .isEqualTo(9);
        assertThat(find(DlqMeters.QUEUE_DEPTH.spec().name(), "queue", "emails").value())
                .isEqualTo(9);
        assertThat(find(DlqMeters.CONSUMER_STATUS.spec().name(), "group", "g", "status", "ERR")
                        .value())
                .isEqualTo(5);
    }

    @Test
    void prometheusSeesTheNamesTheReadmeGivesKeda() {
        // Given the gauges in a Prometheus registry
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LagMeters onPrometheus = new LagMeters(prometheus);
        // When a snapshot is recorded and scraped
        onPrometheus.update(new LagSnapshot(
                T0, List.of(group("emails.workers", LagStatus.STALL, partition("emails.workers", 0, 12, 3_000)))));
        String scrape = prometheus.scrape();
        // Then the series carry the documented names
        assertThat(scrape)
                .contains("jobstream_queue_depth{queue=\"emails\"} 12.0")
                .contains("jobstream_consumer_lag{group=\"emails.workers\",partition=\"0\",topic=\"emails\"} 12.0")
                .contains(
                        "jobstream_consumer_lag_time_seconds{group=\"emails.workers\",partition=\"0\",topic=\"emails\"} 3.0")
                .contains("jobstream_consumer_status{group=\"emails.workers\",status=\"STALL\"} 3.0");
        prometheus.close();
    }

    @Test
    void closeRemovesEveryGauge() {
        meters.update(new LagSnapshot(T0, List.of(group("g", LagStatus.OK, partition("g", 0, 9, 0)))));
        meters.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
