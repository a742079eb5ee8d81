package io.jobstream.dlq.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.dlq.alert.internal.HttpDelivery;
import io.jobstream.dlq.lag.LagStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * An {@link AlertSink} posting a Block Kit message to a Slack incoming webhook. For dead letters: queue, type, reason,
 * error class and message, count, first and last job ids, and a replay command to copy. For a lag status change:
 * group, previous and new status, lag in records and seconds, topics, group state, and a {@code jobstream lag}
 * command to copy.
 *
 * <p>Threading: thread-safe ({@link HttpClient} is). Answers: 2xx delivered, 429 {@link Delivery.RetryAfter} (from
 * {@code Retry-After}, seconds or HTTP date), 5xx/408/I/O error retryable, any other status a permanent failure.
 */
public final class SlackSink implements AlertSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 1_500;
    /** Slack's limits: a header's text, a section field's text, a section's text (Block Kit reference). */
    private static final int MAX_HEADER = 150;

    private static final int MAX_FIELD_VALUE = 1_900;
    private static final int MAX_SECTION_TEXT = 2_900;
    private static final int MAX_COMMAND = 2_800;
    private static final int MAX_ERROR_CLASS = 1_000;
    private static final int MAX_TOPIC = 260;

    private final URI webhook;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;

    /**
     * A sink posting to {@code webhook}.
     *
     * @param timeout the longest wait for one request's answer
     */
    public SlackSink(URI webhook, HttpClient client, Duration timeout, Clock clock) {
        this.webhook = Objects.requireNonNull(webhook, "webhook");
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return "slack";
    }

    @Override
    public Delivery deliver(Notification notification) {
        return HttpDelivery.post(client, webhook, message(notification), timeout, clock);
    }

    /** The JSON body posted for {@code notification}. */
    public static String message(Notification notification) {
        return switch (notification) {
            case Alert alert -> message(alert);
            case LagAlert alert -> message(alert);
        };
    }

    private static String message(Alert alert) {
        AlertKey key = alert.key();
        ObjectNode root = JSON.createObjectNode();
        root.put("text", markdown(summary(alert), MAX_SECTION_TEXT));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(summary(alert), MAX_HEADER));
        ObjectNode section = blocks.addObject().put("type", "section");
        ArrayNode fields = section.putArray("fields");
        field(fields, "Queue", code(key.queue(), MAX_FIELD_VALUE));
        field(fields, "Type", code(key.type(), MAX_FIELD_VALUE));
        field(fields, "Reason", code(key.reason(), MAX_FIELD_VALUE));
        field(fields, "Count", Long.toString(alert.count()));
        if (alert.kind() != Alert.Kind.RECOVERED) {
            field(fields, "First job", code(alert.firstJobId(), MAX_FIELD_VALUE));
            field(fields, "Last job", code(alert.lastJobId(), MAX_FIELD_VALUE));
            String error = (key.errorClass().isEmpty() ? "" : code(key.errorClass(), MAX_ERROR_CLASS) + "\n")
                    + markdown(alert.errorMessage(), MAX_MESSAGE);
            markdownSection(blocks, "*Error*\n" + (error.isBlank() ? "(no message)" : error));
            markdownSection(blocks, "*Replay*\n```" + markdown(alert.replayCommand(), MAX_COMMAND) + "```");
        }
        ObjectNode context = blocks.addObject().put("type", "context");
        context.putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put("text", "from " + alert.from() + " to " + alert.to());
        return root.toString();
    }

    /** Appends a Block Kit section with {@code text} in Slack's markdown. */
    private static void markdownSection(ArrayNode blocks, String text) {
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", text);
    }

    private static String message(LagAlert alert) {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", markdown(summary(alert), MAX_SECTION_TEXT));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(summary(alert), MAX_HEADER));
        ObjectNode section = blocks.addObject().put("type", "section");
        ArrayNode fields = section.putArray("fields");
        field(fields, "Group", code(alert.group(), MAX_FIELD_VALUE));
        field(fields, "Status", "`" + alert.previous() + "` → `" + alert.current() + "`");
        field(fields, "Lag", alert.lag() + " records");
        field(fields, "Lag seconds", (alert.lagTimeIsLowerBound() ? "≥ " : "") + seconds(alert) + " s");
        StringBuilder topics = new StringBuilder();
        for (String topic : alert.topics()) {
            String shown = (topics.isEmpty() ? "" : ", ") + code(topic, MAX_TOPIC);
            if (topics.length() + shown.length() > MAX_FIELD_VALUE - 1) {
                topics.append('…');
                break;
            }
            topics.append(shown);
        }
        field(fields, "Topics", topics.isEmpty() ? "(none)" : topics.toString());
        field(fields, "Group state", alert.state() + ", " + alert.members() + " members");
        alert.error().ifPresent(error -> markdownSection(blocks, "*Error*\n" + markdown(error, MAX_MESSAGE)));
        markdownSection(blocks, "*Look*\n```" + markdown(alert.lagCommand(), MAX_COMMAND) + "```");
        ObjectNode context = blocks.addObject().put("type", "context");
        context.putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put(
                        "text",
                        "as of " + alert.at()
                                + (alert.changes() > 1 ? " (" + alert.changes() + " status changes coalesced)" : ""));
        return root.toString();
    }

    private static String summary(LagAlert alert) {
        if (alert.isRecovery()) {
            return "Lag recovered: " + alert.group() + " is OK (was " + alert.previous() + ")";
        }
        if (alert.current() == LagStatus.ERR) {
            return "Lag ERR: " + alert.group() + " could not be read (was " + alert.previous() + ")";
        }
        return "Lag " + alert.current() + ": " + alert.group() + " (was " + alert.previous() + "), " + alert.lag()
                + " records, " + (alert.lagTimeIsLowerBound() ? "≥ " : "") + seconds(alert) + " s behind";
    }

    private static String seconds(LagAlert alert) {
        return String.format(Locale.ROOT, "%.1f", alert.lagSeconds());
    }

    private static String summary(Alert alert) {
        AlertKey key = alert.key();
        return switch (alert.kind()) {
            case FIRST -> "Dead letter on " + key.queue() + ": " + key.type() + " " + key.reason();
            case AGGREGATED ->
                alert.count() + " dead letters on " + key.queue() + ": " + key.type() + " " + key.reason();
            case RECOVERED -> "Recovered: no dead letters on " + key.queue() + ": " + key.type() + " " + key.reason();
        };
    }

    private static void field(ArrayNode fields, String name, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + value);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** {@code text} in an inline code span it cannot leave, at most {@code max} characters with the backticks. */
    private static String code(String text, int max) {
        return "`" + markdown(text, max - 2) + "`";
    }

    /**
     * Untrusted {@code text} as Slack mrkdwn that shows it and does nothing else: {@code & < >} escaped as Slack
     * asks (so {@code <!channel>}, {@code <@U…>} and {@code <url|label>} are shown, not sent or linked), backticks
     * replaced by a look-alike (so no text leaves its code span or block), and cut to at most {@code max} characters
     * after escaping, never inside an escape.
     */
    static String markdown(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String piece =
                    switch (c) {
                        case '&' -> "&amp;";
                        case '<' -> "&lt;";
                        case '>' -> "&gt;";
                        case '`' -> "ˋ";
                        default -> null;
                    };
            int length = piece == null ? 1 : piece.length();
            if (out.length() + length > max - 1 && i < text.length() - 1 || out.length() + length > max) {
                out.append('…');
                break;
            }
            if (piece == null) {
                out.append(c);
            } else {
                out.append(piece);
            }
        }
        return out.toString();
    }
}
