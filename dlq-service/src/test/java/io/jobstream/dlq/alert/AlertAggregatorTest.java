package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.alert.RecordingServer.Answer;
import io.jobstream.dlq.alert.RecordingServer.Request;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The aggregator with a fake clock, driven by hand ({@code tick}, {@code drainOnce}), posting to a local server. */
class AlertAggregatorTest {
    private static final AlertKey KEY = new AlertKey("emails", "send_email", "HANDLER_ERROR", "java.io.IOException");
    private static final Instant T0 = Instant.parse("2026-11-22T06:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private RecordingServer slack;

    @BeforeEach
    void startServer() throws Exception {
        slack = new RecordingServer(clock);
    }

    @AfterEach
    void stopServer() {
        slack.close();
        http.close();
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(registry, List.of(DlqMeters.values())))
                .isEmpty();
    }

    private AlertAggregator aggregator(AlertConfig config) {
        return AlertAggregator.builder(config)
                .sink(new SlackSink(slack.uri(), http, Duration.ofSeconds(5), clock))
                .clock(clock)
                .registry(registry)
                .build();
    }

    private double meter(String name) {
        return registry.get(name)
                .tag("sink", "slack")
                .meter()
                .measure()
                .iterator()
                .next()
                .getValue();
    }

    @Test
    void aThousandDeadLettersInTenSecondsBecomeAHandfulOfSlackPostsWhoseCountsAddUpToAThousand() {
        // Given an aggregator with the default 60 s window
        AlertAggregator alerts = aggregator(AlertConfig.defaults());
        // When 1,000 dead letters of one kind arrive over 10 s, the aggregator ticking and draining all along
        for (int i = 0; i < 1_000; i++) {
            alerts.onDeadLetter(KEY, "job-" + i, "smtp down");
            alerts.tick();
            alerts.drainOnce();
            clock.advance(Duration.ofMillis(10));
        }
        clock.advance(Duration.ofSeconds(60));
        alerts.tick();
        alerts.drainOnce();
        // Then Slack got a handful of posts whose counts add up to 1,000
        List<Request> posts = slack.delivered();
        assertThat(posts).hasSizeBetween(1, 5);
        assertThat(posts.stream().mapToLong(Request::slackCount).sum()).isEqualTo(1_000);
        // And the first one went out at once, naming the first job, the aggregate the rest
        assertThat(posts.getFirst().at()).isEqualTo(T0);
        assertThat(posts.getFirst().slackCount()).isEqualTo(1);
        assertThat(posts.getFirst().body()).contains("job-0", "emails", "send_email", "HANDLER_ERROR");
        assertThat(posts.get(1).body()).contains("job-1", "job-999", "999 dead letters");
        assertThat(meter("jobstream.alerts.sent")).isEqualTo(2);
        assertThat(meter("jobstream.alerts.suppressed")).isEqualTo(999);
        assertThat(meter("jobstream.alerts.pending")).isZero();
    }

    @Test
    void slackAnswering429WithRetryAfterGetsTheAlertOnceAndNotBeforeRetryAfter() {
        // Given Slack answering 429 with Retry-After: 2, then 200
        slack.answer(new Answer(429, Map.of("Retry-After", "2")));
        AlertAggregator alerts = aggregator(AlertConfig.defaults());
        // When a first dead letter is alerted, and the outbox drains every 500 ms for 5 s
        alerts.onDeadLetter(KEY, "job-1", "smtp down");
        for (int i = 0; i < 10; i++) {
            alerts.drainOnce();
            clock.advance(Duration.ofMillis(500));
        }
        // Then Slack saw the 429 and exactly one more request, which it accepted, 2 s or more after the 429
        List<Request> requests = slack.requests();
        assertThat(requests).extracting(Request::status).containsExactly(429, 200);
        assertThat(requests.get(1).at()).isAfterOrEqualTo(requests.get(0).at().plusSeconds(2));
        assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
        assertThat(meter("jobstream.alerts.sent")).isEqualTo(1);
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoff() {
        // Given Slack failing twice with 503
        slack.answer(new Answer(503, Map.of()), new Answer(503, Map.of()));
        AlertAggregator alerts = aggregator(AlertConfig.defaults());
        // When an alert is drained every 100 ms for 10 s
        alerts.onDeadLetter(KEY, "job-1", "smtp down");
        for (int i = 0; i < 100; i++) {
            alerts.drainOnce();
            clock.advance(Duration.ofMillis(100));
        }
        // Then it arrives on the third attempt, the waits between attempts at least 1 s, then 2 s
        List<Request> requests = slack.requests();
        assertThat(requests).extracting(Request::status).containsExactly(503, 503, 200);
        assertThat(requests.get(1).at()).isAfterOrEqualTo(requests.get(0).at().plusSeconds(1));
        assertThat(requests.get(2).at()).isAfterOrEqualTo(requests.get(1).at().plusSeconds(2));
        assertThat(alerts.pending("slack")).isZero();
    }

    @Test
    void aQuietKeyRecoversAndItsNextDeadLetterIsAFirstOneAgain() {
        // Given a key that fired once
        AlertAggregator alerts = aggregator(AlertConfig.builder()
                .window(Duration.ofSeconds(60))
                .quietPeriod(Duration.ofMinutes(5))
                .build());
        alerts.onDeadLetter(KEY, "job-1", "smtp down");
        alerts.drainOnce();
        // When 5 minutes pass without dead letters, then one more comes
        clock.advance(Duration.ofMinutes(5));
        alerts.tick();
        alerts.drainOnce();
        clock.advance(Duration.ofSeconds(1));
        alerts.onDeadLetter(KEY, "job-2", "smtp down again");
        alerts.drainOnce();
        // Then Slack got: first, recovered, first again
        List<Request> posts = slack.delivered();
        assertThat(posts).hasSize(3);
        assertThat(posts.get(0).body()).contains("Dead letter on emails");
        assertThat(posts.get(1).body()).contains("Recovered");
        assertThat(posts.get(1).slackCount()).isZero();
        assertThat(posts.get(2).body()).contains("Dead letter on emails", "job-2");
    }

    @Test
    void keysAreAggregatedSeparately() {
        // Given two error classes of one type
        AlertKey other = new AlertKey("emails", "send_email", "HANDLER_ERROR", "java.lang.NullPointerException");
        AlertAggregator alerts = aggregator(AlertConfig.defaults());
        // When each fails three times within the window
        for (int i = 0; i < 3; i++) {
            alerts.onDeadLetter(KEY, "a-" + i, "smtp down");
            alerts.onDeadLetter(other, "b-" + i, "npe");
        }
        alerts.drainOnce();
        clock.advance(Duration.ofSeconds(61));
        alerts.tick();
        alerts.drainOnce();
        // Then each has its first and its aggregate message
        List<Request> posts = slack.delivered();
        assertThat(posts).hasSize(4);
        assertThat(posts.stream().filter(p -> p.body().contains("NullPointerException")))
                .extracting(Request::slackCount)
                .containsExactly(1L, 2L);
        assertThat(posts.stream().filter(p -> p.body().contains("IOException")))
                .extracting(Request::slackCount)
                .containsExactly(1L, 2L);
    }

    @Test
    void theRateLimitLetsABurstThroughThenOneMessageASecond() {
        // Given 8 keys failing at once (burst 5, 1 message/s)
        AlertAggregator alerts = aggregator(AlertConfig.defaults());
        for (int i = 0; i < 8; i++) {
            alerts.onDeadLetter(new AlertKey("emails", "type-" + i, "HANDLER_ERROR", ""), "job-" + i, "boom");
        }
        // When the outbox drains every 100 ms for 5 s
        for (int i = 0; i < 50; i++) {
            alerts.drainOnce();
            clock.advance(Duration.ofMillis(100));
        }
        // Then 5 went at once and the other 3 a second or more apart
        List<Instant> at = slack.delivered().stream().map(Request::at).toList();
        assertThat(at).hasSize(8);
        assertThat(at.subList(0, 5)).containsOnly(T0);
        for (int i = 5; i < 8; i++) {
            assertThat(at.get(i)).isAfterOrEqualTo(at.get(i - 1).plusSeconds(1));
        }
    }

    @Test
    void whileASinkIsDownAlertsOfAKeyMergeAndExpireAfterTheirMaxAgeCounted() {
        // Given a sink that always answers 500 and alerts kept 10 minutes
        List<AlertSink.Delivery> answers = new ArrayList<>();
        AlertSink down = new AlertSink() {
            @Override
            public String name() {
                return "down";
            }

            @Override
            public Delivery deliver(Notification alert) {
                answers.add(new Delivery.Failed(true, "HTTP 500"));
                return answers.getLast();
            }
        };
        AlertConfig config = AlertConfig.builder()
                .log(false)
                .window(Duration.ofSeconds(60))
                .quietPeriod(Duration.ofHours(1))
                .maxPending(100)
                .maxAge(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofSeconds(5))
                .lagAlerts(false)
                .build();
        AlertAggregator alerts = AlertAggregator.builder(config)
                .sink(down)
                .clock(clock)
                .registry(registry)
                .build();
        // When a key fires, then aggregates for three windows, the sink never answering
        alerts.onDeadLetter(KEY, "job-0", "boom");
        alerts.drainOnce();
        for (int w = 0; w < 3; w++) {
            alerts.onDeadLetter(KEY, "job-w" + w, "boom");
            clock.advance(Duration.ofSeconds(61));
            alerts.tick();
            alerts.drainOnce();
        }
        // Then the unsent alerts of the key are one pending alert (merged), still tried
        assertThat(alerts.pending("down")).isEqualTo(1);
        assertThat(answers).isNotEmpty();
        // And when its max age passes it expires, counted
        clock.advance(Duration.ofMinutes(10));
        alerts.drainOnce();
        assertThat(alerts.pending("down")).isZero();
        assertThat(registry.get("jobstream.alerts.expired")
                        .tag("sink", "down")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("jobstream.alerts.sent")
                        .tag("sink", "down")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void aHangingSinkNeverBlocksTheCaller() throws Exception {
        // Given a started aggregator whose only sink hangs until released
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        AlertSink hanging = new AlertSink() {
            @Override
            public String name() {
                return "hanging";
            }

            @Override
            public Delivery deliver(Notification alert) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Delivery.Delivered();
            }
        };
        try (AlertAggregator alerts = AlertAggregator.builder(AlertConfig.defaults())
                .sink(hanging)
                .clock(clock)
                .registry(registry)
                .build()
                .start()) {
            alerts.onDeadLetter(KEY, "job-0", "boom");
            entered.await();
            // When many more dead letters arrive while the sink hangs on the first alert
            for (int i = 1; i <= 10_000; i++) {
                alerts.onDeadLetter(new AlertKey("emails", "t" + (i % 50), "HANDLER_ERROR", ""), "job-" + i, "x");
            }
            // Then every call returned, and the alerts wait in the outbox (one per key, bounded)
            assertThat(alerts.pending("hanging")).isEqualTo(51);
            release.countDown();
        }
    }
}
