package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.lag.GroupLag;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.dlq.lag.PartitionLag;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lag status changes through the aggregator, with a fake clock and recording sinks, driven by hand. */
class LagAlertsTest {
    private static final Instant T0 = Instant.parse("2026-11-22T06:00:00Z");
    private static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    private static final String GROUP = "emails.workers";

    private final ManualClock clock = new ManualClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A sink keeping every notification it is given, with the clock's time. */
    private final class RecordingSink implements AlertSink {
        private final String name;
        private final List<Instant> at = new ArrayList<>();
        private final List<Notification> got = new ArrayList<>();

        private RecordingSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Delivery deliver(Notification notification) {
            at.add(clock.instant());
            got.add(notification);
            return new Delivery.Delivered();
        }

        List<LagAlert> lagAlerts() {
            return got.stream()
                    .filter(LagAlert.class::isInstance)
                    .map(LagAlert.class::cast)
                    .toList();
        }
    }

    private final RecordingSink sink = new RecordingSink("recording");

    private AlertAggregator aggregator(AlertConfig config, AlertSink... sinks) {
        return AlertAggregator.builder(config)
                .sinks(List.of(sinks))
                .clock(clock)
                .registry(registry)
                .build();
    }

    private static AlertConfig config() {
        return AlertConfig.builder()
                .lagAlerts(true)
                .lagMinInterval(MIN_INTERVAL)
                .build();
    }

    /** A change of {@code group} as the monitor reports it, with {@code lag} records waiting 0.1 s each. */
    private LagListener.Change change(String group, LagStatus from, LagStatus to, long lag) {
        boolean stopped = to == LagStatus.STOP;
        PartitionLag partition = new PartitionLag(
                group,
                "emails",
                0,
                100,
                100 + lag,
                lag,
                Duration.ofMillis(lag * 100),
                false,
                to,
                stopped ? Optional.empty() : Optional.of("worker-1"));
        GroupLag detail = new GroupLag(
                group, stopped ? "EMPTY" : "STABLE", stopped ? 0 : 1, to, Optional.empty(), List.of(partition));
        return new LagListener.Change(group, from, to, clock.instant(), detail);
    }

    private double coalesced() {
        return registry.get(DlqMeters.ALERTS_COALESCED.spec().name())
                .tag("sink", "recording")
                .counter()
                .count();
    }

    /** Ticks and drains once, then advances the clock. */
    private void step(AlertAggregator alerts, Duration by) {
        alerts.tick();
        alerts.drainOnce();
        clock.advance(by);
    }

    @Test
    void aStatusChangeReachesEverySinkAtOnceNamingGroupStatusesLagTopicsAndAHint() {
        // Given an aggregator with two sinks
        RecordingSink other = new RecordingSink("other");
        AlertAggregator alerts = aggregator(config(), sink, other);
        // When a group turns from OK to STOP with 200 records waiting
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 200));
        alerts.drainOnce();
        // Then both sinks got one lag alert, at once, with everything an operator needs
        assertThat(other.lagAlerts()).isEqualTo(sink.lagAlerts());
        assertThat(sink.at).containsExactly(T0);
        LagAlert alert = sink.lagAlerts().getFirst();
        assertThat(alert.group()).isEqualTo(GROUP);
        assertThat(alert.previous()).isEqualTo(LagStatus.OK);
        assertThat(alert.current()).isEqualTo(LagStatus.STOP);
        assertThat(alert.lag()).isEqualTo(200);
        assertThat(alert.lagSeconds()).isEqualTo(20.0);
        assertThat(alert.topics()).containsExactly("emails");
        assertThat(alert.state()).isEqualTo("EMPTY");
        assertThat(alert.changes()).isEqualTo(1);
        assertThat(alert.isRecovery()).isFalse();
        assertThat(alert.lagCommand()).isEqualTo("jobstream lag --group emails.workers");
    }

    @Test
    void aFlappingGroupIsCoalescedIntoOneAlertPerIntervalTheLatestStatusWinning() {
        // Given a group whose turn to STOP was alerted
        AlertAggregator alerts = aggregator(config(), sink);
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 500));
        step(alerts, Duration.ofSeconds(10));
        // When it flaps three more times within the minimum interval, ending in STALL
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.OK, 0));
        step(alerts, Duration.ofSeconds(10));
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 300));
        step(alerts, Duration.ofSeconds(10));
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.STALL, 400));
        step(alerts, Duration.ofSeconds(29));
        // Then nothing more is sent before the interval ends
        step(alerts, Duration.ofSeconds(1));
        assertThat(sink.lagAlerts()).hasSize(1);
        // And when it ends, one alert: from the last announced status to the latest one, standing for 3 changes
        step(alerts, Duration.ZERO);
        assertThat(sink.lagAlerts())
                .extracting(LagAlert::previous, LagAlert::current, LagAlert::changes, LagAlert::lag)
                .containsExactly(
                        tuple(LagStatus.OK, LagStatus.STOP, 1, 500L), tuple(LagStatus.STOP, LagStatus.STALL, 3, 400L));
        assertThat(sink.at).containsExactly(T0, T0.plus(MIN_INTERVAL));
        assertThat(coalesced()).isEqualTo(2);
    }

    @Test
    void aGroupFlappingForTenMinutesGetsAtMostOneAlertPerInterval() {
        // Given a group whose status changes every 5 s for 10 minutes
        AlertAggregator alerts = aggregator(config(), sink);
        LagStatus status = LagStatus.OK;
        for (int i = 0; i < 120; i++) {
            LagStatus next = status == LagStatus.OK ? LagStatus.WARN : LagStatus.OK;
            alerts.onStatusChange(change(GROUP, status, next, next == LagStatus.OK ? 0 : 50));
            status = next;
            for (int s = 0; s < 5; s++) {
                step(alerts, Duration.ofSeconds(1));
            }
        }
        // And then settles at OK
        step(alerts, MIN_INTERVAL);
        step(alerts, Duration.ZERO);
        // Then the alerts are at least one interval apart, each a real change from the one before it
        assertThat(sink.at).hasSizeBetween(2, 12);
        for (int i = 1; i < sink.at.size(); i++) {
            assertThat(sink.at.get(i)).isAfterOrEqualTo(sink.at.get(i - 1).plus(MIN_INTERVAL));
        }
        LagStatus told = LagStatus.OK;
        for (LagAlert alert : sink.lagAlerts()) {
            assertThat(alert.previous()).isEqualTo(told);
            assertThat(alert.current()).isNotEqualTo(told);
            told = alert.current();
        }
        // And the last one told the recovery
        assertThat(told).isEqualTo(LagStatus.OK);
        assertThat(sink.lagAlerts().getLast().isRecovery()).isTrue();
    }

    @Test
    void aRecoveryWithinTheIntervalIsDeliveredWhenTheIntervalEnds() {
        // Given a group whose STOP was alerted
        AlertAggregator alerts = aggregator(config(), sink);
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 5_000));
        step(alerts, Duration.ofSeconds(5));
        // When it recovers 5 s later
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.OK, 0));
        for (int i = 0; i < 60; i++) {
            step(alerts, Duration.ofSeconds(1));
        }
        // Then the recovery is sent once the interval since the STOP alert is over
        assertThat(sink.lagAlerts())
                .extracting(LagAlert::previous, LagAlert::current)
                .containsExactly(tuple(LagStatus.OK, LagStatus.STOP), tuple(LagStatus.STOP, LagStatus.OK));
        assertThat(sink.lagAlerts().getLast().isRecovery()).isTrue();
        assertThat(sink.lagAlerts().getLast().lag()).isZero();
        assertThat(sink.at.getLast()).isEqualTo(T0.plus(MIN_INTERVAL));
    }

    @Test
    void aRecoveryAfterTheIntervalIsDeliveredAtOnce() {
        // Given a group whose STOP was alerted two minutes ago
        AlertAggregator alerts = aggregator(config(), sink);
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 5_000));
        step(alerts, Duration.ofMinutes(2));
        // When it recovers
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.OK, 0));
        alerts.drainOnce();
        // Then the recovery is sent at once
        assertThat(sink.lagAlerts()).extracting(LagAlert::current).containsExactly(LagStatus.STOP, LagStatus.OK);
        assertThat(sink.at.getLast()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    }

    @Test
    void aGroupThatFlapsBackToTheAnnouncedStatusWithinTheIntervalGetsNoAlert() {
        // Given a group whose STOP was alerted
        AlertAggregator alerts = aggregator(config(), sink);
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 100));
        step(alerts, Duration.ofSeconds(10));
        // When it goes OK and back to STOP within the interval
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.OK, 0));
        step(alerts, Duration.ofSeconds(10));
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 100));
        for (int i = 0; i < 120; i++) {
            step(alerts, Duration.ofSeconds(1));
        }
        // Then nothing more was sent: the announced STOP still holds; both changes are counted as coalesced
        assertThat(sink.lagAlerts()).extracting(LagAlert::current).containsExactly(LagStatus.STOP);
        assertThat(coalesced()).isEqualTo(2);
    }

    @Test
    void groupsAreCoalescedSeparately() {
        // Given two groups
        AlertAggregator alerts = aggregator(config(), sink);
        // When both turn STOP within a second
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 10));
        step(alerts, Duration.ofSeconds(1));
        alerts.onStatusChange(change("images.workers", LagStatus.OK, LagStatus.STOP, 20));
        step(alerts, Duration.ZERO);
        // Then each got its alert at once
        assertThat(sink.lagAlerts()).extracting(LagAlert::group).containsExactly(GROUP, "images.workers");
        assertThat(sink.at).containsExactly(T0, T0.plusSeconds(1));
    }

    @Test
    void lagAlertsShareEachSinksRateLimitWithDeadLetterAlerts() {
        // Given the default rate limit (bursts of 5, then 1 message/s) and 3 dead-letter keys firing
        AlertAggregator alerts = aggregator(config(), sink);
        for (int i = 0; i < 3; i++) {
            alerts.onDeadLetter(new AlertKey("emails", "type-" + i, "HANDLER_ERROR", ""), "job-" + i, "boom");
        }
        // When 5 groups change status at the same moment, and the outbox drains every 100 ms for 5 s
        for (int i = 0; i < 5; i++) {
            alerts.onStatusChange(change("q" + i + ".workers", LagStatus.OK, LagStatus.STOP, 10));
        }
        for (int i = 0; i < 50; i++) {
            step(alerts, Duration.ofMillis(100));
        }
        // Then all 8 arrived: 5 at once, the other 3 a second or more apart
        assertThat(sink.got).hasSize(8);
        assertThat(sink.lagAlerts()).hasSize(5);
        assertThat(sink.at.subList(0, 5)).containsOnly(T0);
        for (int i = 5; i < 8; i++) {
            assertThat(sink.at.get(i)).isAfterOrEqualTo(sink.at.get(i - 1).plusSeconds(1));
        }
    }

    @Test
    void lagAlertsTurnedOffSendNothing() {
        // Given lag alerts turned off
        AlertAggregator alerts = aggregator(
                AlertConfig.builder()
                        .lagAlerts(false)
                        .lagMinInterval(MIN_INTERVAL)
                        .build(),
                sink);
        // When a group stops and recovers
        alerts.onStatusChange(change(GROUP, LagStatus.OK, LagStatus.STOP, 10));
        step(alerts, Duration.ofMinutes(5));
        alerts.onStatusChange(change(GROUP, LagStatus.STOP, LagStatus.OK, 0));
        step(alerts, Duration.ofMinutes(5));
        // Then no sink heard of it
        assertThat(sink.got).isEmpty();
    }
}
