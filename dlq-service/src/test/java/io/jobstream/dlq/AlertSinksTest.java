package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.internal.alert.HttpDelivery;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import java.net.URI;
import java.time.Instant;
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
