package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.dlq.lag.LagStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Untrusted text (job type, ids, error messages) cannot ping a channel, disguise a link or leave its code span. */
class SlackEscapingTest {
    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");

    private static JsonNode slack(String type, String errorClass, String message, String jobId) throws Exception {
        Alert alert = new Alert(
                Alert.Kind.FIRST,
                new AlertKey("emails", type, "HANDLER_ERROR", errorClass),
                message,
                1,
                jobId,
                jobId,
                NOW,
                NOW);
        return new ObjectMapper().readTree(SlackSink.message(alert));
    }

    /** Every mrkdwn text of the message, fallback text included. */
    private static List<String> markdownTexts(JsonNode message) {
        List<String> texts = new ArrayList<>();
        texts.add(message.path("text").asText());
        message.findValues("text").forEach(node -> {
            if (node.isTextual()) {
                texts.add(node.asText());
            } else if ("mrkdwn".equals(node.path("type").asText())) {
                texts.add(node.path("text").asText());
            }
        });
        message.findParents("type").forEach(node -> {
            if ("mrkdwn".equals(node.path("type").asText())) {
                texts.add(node.path("text").asText());
            }
        });
        return texts;
    }

    @Test
    void aMentionInAJobTypeOrErrorIsShownNotSent() throws Exception {
        // Given a type and an error message that try to ping everyone
        JsonNode message = slack("<!channel>", "x.Y", "boom <!here> <@U123> <!subteam^S1>", "01J");

        // Then no text Slack parses carries a raw control sequence; the words are shown escaped
        assertThat(markdownTexts(message))
                .allSatisfy(text -> assertThat(text).doesNotContain("<!channel>", "<!here>", "<@U123>", "<!subteam"));
        assertThat(message.toString()).contains("&lt;!channel&gt;");
    }

    @Test
    void aDisguisedLinkInAnErrorIsShownAsText() throws Exception {
        // Given an error message with a Slack link whose label hides its target
        JsonNode message = slack("log", "x.Y", "see <https://evil.example/|https://status.example.com>", "01J");

        // Then the link is not a link
        assertThat(markdownTexts(message)).allSatisfy(text -> assertThat(text).doesNotContain("<https://evil"));
    }

    @Test
    void untrustedTextCannotLeaveItsCodeSpanOrBlock() throws Exception {
        // Given a type and an error class with backticks, as a code-block escape would use
        JsonNode message = slack("a` *bold* `b", "x```\n<!channel>\n```", "m", "01J`x");

        // Then the only backticks are the ones the message puts around values
        String all = String.join("\n", markdownTexts(message));
        assertThat(all).doesNotContain("a` *bold*", "x```", "01J`x");
    }

    @Test
    void everyTextStaysWithinSlacksBlockLimits() throws Exception {
        // Given enormous untrusted fields, made of the characters escaping lengthens most
        String huge = "&".repeat(20_000);
        JsonNode message = slack(huge, huge, huge, huge);

        // Then the message fits Slack's limits: header 150, section field 2000, section text 3000, 50 blocks
        JsonNode blocks = message.path("blocks");
        assertThat(blocks.size()).isLessThanOrEqualTo(50);
        for (JsonNode block : blocks) {
            if (block.path("type").asText().equals("header")) {
                assertThat(block.path("text").path("text").asText().length()).isLessThanOrEqualTo(150);
            }
            for (JsonNode field : block.path("fields")) {
                assertThat(field.path("text").asText().length()).isLessThanOrEqualTo(2_000);
            }
            if (block.path("text").has("text")) {
                assertThat(block.path("text").path("text").asText().length()).isLessThanOrEqualTo(3_000);
            }
        }
        assertThat(message.path("text").asText().length()).isLessThanOrEqualTo(3_000);
    }

    @Test
    void aLagAlertEscapesTheGroupAndTheError() throws Exception {
        // Given a lag alert of a group whose name and error try to ping everyone
        LagAlert alert = new LagAlert(
                "<!channel>",
                LagStatus.OK,
                LagStatus.ERR,
                NOW,
                0,
                Duration.ZERO,
                false,
                List.of("<!everyone>"),
                "UNKNOWN",
                0,
                Optional.of("cannot read <!here>"),
                1);

        // When
        JsonNode message = new ObjectMapper().readTree(SlackSink.message(alert));

        // Then
        assertThat(markdownTexts(message))
                .allSatisfy(text -> assertThat(text).doesNotContain("<!channel>", "<!here>", "<!everyone>"));
    }
}
