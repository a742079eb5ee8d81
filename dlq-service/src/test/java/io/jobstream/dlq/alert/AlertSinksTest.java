package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.alert.internal.HttpDelivery;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertSinksTest {
    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");
    private static final Alert ALERT = new Alert(
            Alert.Kind.AGGREGATED,
            new AlertKey("emails", "send_email", "HANDLER_ERROR", "java.io.IOException"),
            "smtp down",
            42,
            "01JFIRST",
            "01JLAST",
            NOW,
            NOW.plusSeconds(60));

    @Test
    void theSlackMessageCarriesEverythingAndACopyableReplayCommand() throws Exception {
        // When the Slack message of an aggregated alert is built
        JsonNode message = new ObjectMapper().readTree(SlackSink.message(ALERT));
        // Then it is Block Kit with a fallback text, and names queue, type, reason, error, count, jobs, replay
        assertThat(message.path("text").asText()).isEqualTo("42 dead letters on emails: send_email HANDLER_ERROR");
        assertThat(message.path("blocks").get(0).path("type").asText()).isEqualTo("header");
        String all = message.toString();
        assertThat(all)
                .contains("*Queue*\\n`emails`", "*Type*\\n`send_email`", "*Reason*\\n`HANDLER_ERROR`")
                .contains("*Count*\\n42", "01JFIRST", "01JLAST", "java.io.IOException", "smtp down")
                .contains("jobstream dlq replay --queue emails --type send_email --reason HANDLER_ERROR");
    }

    @Test
    void theReplayCommandQuotesWordsTheShellWouldSplit() {
        // Given a type with a space and a quote
        Alert alert = new Alert(
                Alert.Kind.FIRST, new AlertKey("emails", "it's odd", "TIMEOUT", ""), "", 1, "a", "a", NOW, NOW);
        // Then the replay command quotes it for a POSIX shell
        assertThat(alert.replayCommand())
                .isEqualTo("jobstream dlq replay --queue emails --type 'it'\\''s odd' --reason TIMEOUT");
    }

    @Test
    void theWebhookBodyIsFlatJson() throws Exception {
        JsonNode body = new ObjectMapper().readTree(WebhookSink.body(ALERT));
        assertThat(body.path("kind").asText()).isEqualTo("AGGREGATED");
        assertThat(body.path("count").asLong()).isEqualTo(42);
        assertThat(body.path("errorClass").asText()).isEqualTo("java.io.IOException");
        assertThat(body.path("to").asText()).isEqualTo("2026-11-22T06:01:00Z");
    }

    private static final LagAlert STOPPED = new LagAlert(
            "emails.workers",
            LagStatus.OK,
            LagStatus.STOP,
            NOW,
            5_000,
            Duration.ofMillis(20_125),
            false,
            List.of("emails"),
            "EMPTY",
            0,
            Optional.empty(),
            1);

    @Test
    void theSlackMessageOfALagChangeNamesGroupStatusesLagTopicsAndTheLagCommand() throws Exception {
        // When the Slack message of a group turning STOP is built
        JsonNode message = new ObjectMapper().readTree(SlackSink.message(STOPPED));
        // Then its text says what happened, and its blocks carry the details and a command to copy
        assertThat(message.path("text").asText())
                .isEqualTo("Lag STOP: emails.workers (was OK), 5000 records, 20.1 s behind");
        assertThat(message.path("blocks").get(0).path("type").asText()).isEqualTo("header");
        assertThat(message.toString())
                .contains("*Group*\\n`emails.workers`", "*Status*\\n`OK` → `STOP`", "*Lag*\\n5000 records")
                .contains("*Lag seconds*\\n20.1 s", "*Topics*\\n`emails`", "*Group state*\\nEMPTY, 0 members")
                .contains("jobstream lag --group emails.workers")
                .doesNotContain("coalesced", "dlq replay");
    }

    @Test
    void theSlackMessageOfALagRecoverySaysRecoveredAndHowManyChangesItStandsFor() throws Exception {
        // Given a recovery standing for 3 coalesced changes, its time lag a lower bound
        LagAlert recovered = new LagAlert(
                "emails.workers",
                LagStatus.STOP,
                LagStatus.OK,
                NOW,
                0,
                Duration.ZERO,
                false,
                List.of("emails"),
                "STABLE",
                2,
                Optional.empty(),
                3);
        // When its Slack message is built
        JsonNode message = new ObjectMapper().readTree(SlackSink.message(recovered));
        // Then
        assertThat(message.path("text").asText()).isEqualTo("Lag recovered: emails.workers is OK (was STOP)");
        assertThat(message.toString()).contains("(3 status changes coalesced)", "*Status*\\n`STOP` → `OK`");
    }

    @Test
    void theSlackMessageOfAGroupThatCannotBeReadSaysSoWithTheError() throws Exception {
        // Given a group turned ERR
        LagAlert err = new LagAlert(
                "emails.workers",
                LagStatus.OK,
                LagStatus.ERR,
                NOW,
                0,
                Duration.ZERO,
                false,
                List.of(),
                "UNKNOWN",
                0,
                Optional.of("TimeoutException: listGroups"),
                1);
        // When its Slack message is built
        JsonNode message = new ObjectMapper().readTree(SlackSink.message(err));
        // Then it says the group could not be read, and why
        assertThat(message.path("text").asText()).isEqualTo("Lag ERR: emails.workers could not be read (was OK)");
        assertThat(message.toString()).contains("*Error*\\nTimeoutException: listGroups", "*Topics*\\n(none)");
    }

    @Test
    void theWebhookBodyOfALagChangeIsFlatJsonOfKindLagStatus() throws Exception {
        JsonNode body = new ObjectMapper().readTree(WebhookSink.body(STOPPED));
        assertThat(body.path("kind").asText()).isEqualTo("LAG_STATUS");
        assertThat(body.path("group").asText()).isEqualTo("emails.workers");
        assertThat(body.path("previous").asText()).isEqualTo("OK");
        assertThat(body.path("status").asText()).isEqualTo("STOP");
        assertThat(body.path("lag").asLong()).isEqualTo(5_000);
        assertThat(body.path("lagSeconds").asDouble()).isEqualTo(20.125);
        assertThat(body.path("lagSecondsLowerBound").asBoolean()).isFalse();
        assertThat(body.path("topics").get(0).asText()).isEqualTo("emails");
        assertThat(body.path("error").isNull()).isTrue();
        assertThat(body.path("changes").asInt()).isEqualTo(1);
        assertThat(body.path("command").asText()).isEqualTo("jobstream lag --group emails.workers");
    }

    @Test
    void theLogSinkTakesBothKinds() {
        LogSink log = new LogSink();
        assertThat(log.deliver(STOPPED)).isInstanceOf(AlertSink.Delivery.Delivered.class);
        assertThat(log.deliver(ALERT)).isInstanceOf(AlertSink.Delivery.Delivered.class);
    }

    @Test
    void lagAlertKeysAreReadAndValidatedNamingTheKey() {
        // Given the defaults
        var defaults = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withOverrides(Map.of("jobstream.dlq.queues", "emails"))
                .load();
        AlertConfig config = AlertConfig.from(defaults, Map.of());
        assertThat(config.lagAlerts()).isTrue();
        assertThat(config.lagMinInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config).isEqualTo(AlertConfig.defaults());
        // When they are set (as in the README's YAML)
        var set = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withEnvironment(Map.of())
                .withYaml("""
                        jobstream:
                          dlq:
                            queues: [emails]
                            alerts:
                              lag:
                                enabled: false
                                min-interval: 30s
                        """)
                .load();
        // Then they are read
        assertThat(AlertConfig.from(set, Map.of()))
                .isEqualTo(AlertConfig.builder()
                        .lagAlerts(false)
                        .lagMinInterval(Duration.ofSeconds(30))
                        .build());
        // And an interval out of range fails naming its key
        assertThatThrownBy(() -> ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                        .withOverrides(Map.of(
                                "jobstream.dlq.queues", "emails", "jobstream.dlq.alerts.lag.min-interval", "10ms"))
                        .load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.alerts.lag.min-interval");
        assertThatThrownBy(() -> AlertConfig.builder()
                        .lagAlerts(true)
                        .lagMinInterval(Duration.ZERO)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.alerts.lag.min-interval");
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(HttpDelivery.retryAfter(Optional.of("2"), NOW)).contains(NOW.plusSeconds(2));
        assertThat(HttpDelivery.retryAfter(Optional.of("Sun, 22 Nov 2026 06:00:30 GMT"), NOW))
                .contains(NOW.plusSeconds(30));
        // a date in the past means now; garbage and absence mean unknown
        assertThat(HttpDelivery.retryAfter(Optional.of("Sun, 22 Nov 2026 05:00:00 GMT"), NOW))
                .contains(NOW);
        assertThat(HttpDelivery.retryAfter(Optional.of("soon"), NOW)).isEmpty();
        assertThat(HttpDelivery.retryAfter(Optional.empty(), NOW)).isEmpty();
    }

    @Test
    void theGenericWebhookUrlIsASecretNeverShownInConfigOrLogs() {
        // Given a generic webhook whose URL carries its token
        var config = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withOverrides(Map.of(
                        "jobstream.dlq.queues", "emails",
                        "jobstream.dlq.alerts.webhook.url", "https://hooks.example.com/alerts?token=s3cret"))
                .load();

        // When the config and the alert settings are rendered, as start-up logs them
        AlertConfig alerts = AlertConfig.from(config, Map.of());

        // Then the URL is used whole but shown only by its origin
        assertThat(alerts.webhook()).contains(URI.create("https://hooks.example.com/alerts?token=s3cret"));
        assertThat(config.toString()).doesNotContain("s3cret");
        assertThat(alerts.toString()).doesNotContain("s3cret", "/alerts").contains("https://hooks.example.com");
    }

    @Test
    void theSlackUrlComesFromConfigOrElseFromTheEnvironment() {
        // Given no URL in the config but one in SLACK_WEBHOOK_URL
        var config = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withOverrides(Map.of("jobstream.dlq.queues", "emails"))
                .load();
        AlertConfig fromEnv = AlertConfig.from(config, Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com/x"));
        assertThat(fromEnv.slackWebhook()).contains(URI.create("https://hooks.slack.com/x"));
        assertThat(fromEnv.toString()).doesNotContain("hooks.slack.com");
        // And the config's URL wins
        var withUrl = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withOverrides(Map.of(
                        "jobstream.dlq.queues", "emails",
                        "jobstream.dlq.alerts.slack.webhook-url", "https://hooks.slack.com/y"))
                .load();
        assertThat(AlertConfig.from(withUrl, Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com/x"))
                        .slackWebhook())
                .contains(URI.create("https://hooks.slack.com/y"));
    }

    @Test
    void extraSinksWithoutAlertsTurnedOnAreRefused() {
        DlqService.Builder builder = DlqService.builder(
                        DlqServiceConfig.defaults(java.util.List.of("emails")),
                        io.jobstream.runtime.KafkaSettings.builder()
                                .bootstrapServers("localhost:9092")
                                .build())
                .alertSink(new LogSink());
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("alerts(AlertConfig)");
    }

    @Test
    void aBadUrlFailsNamingItsKey() {
        var config = ConfigLoader.forDefinition(DlqServiceConfig.DEFINITION)
                .withOverrides(Map.of("jobstream.dlq.queues", "emails", "jobstream.dlq.alerts.webhook.url", "ftp://x"))
                .load();
        assertThatThrownBy(() -> AlertConfig.from(config, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.dlq.alerts.webhook.url");
    }
}
