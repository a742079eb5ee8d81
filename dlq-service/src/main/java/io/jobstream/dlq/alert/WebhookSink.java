package io.jobstream.dlq.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.dlq.alert.internal.HttpDelivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link AlertSink} posting each alert as a flat JSON object to any URL; {@code kind} tells them apart. A
 * dead-letter alert ({@code FIRST}, {@code AGGREGATED}, {@code RECOVERED}):
 *
 * <pre>{@code
 * {"kind":"AGGREGATED","queue":"emails","type":"send_email","reason":"HANDLER_ERROR",
 *  "errorClass":"java.io.IOException","errorMessage":"smtp down","count":999,
 *  "firstJobId":"01J...","lastJobId":"01J...","from":"2026-...Z","to":"2026-...Z",
 *  "replayCommand":"jobstream dlq replay --queue emails --type send_email --reason HANDLER_ERROR"}
 * }</pre>
 *
 * <p>A lag status change ({@code LAG_STATUS}; {@code lagSeconds} is the largest of the group's partitions):
 *
 * <pre>{@code
 * {"kind":"LAG_STATUS","group":"emails.workers","previous":"OK","status":"STOP","lag":5000,"lagSeconds":20.125,
 *  "lagSecondsLowerBound":false,"topics":["emails"],"state":"EMPTY","members":0,"error":null,"changes":1,
 *  "at":"2026-...Z","command":"jobstream lag --group emails.workers"}
 * }</pre>
 *
 * <p>Answers are classified like {@link SlackSink}'s. Thread-safe.
 */
public final class WebhookSink implements AlertSink {
    /** The {@code kind} of a lag status change. */
    public static final String LAG_STATUS = "LAG_STATUS";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;

    public WebhookSink(URI url, HttpClient client, Duration timeout, Clock clock) {
        this.url = Objects.requireNonNull(url, "url");
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Delivery deliver(Notification notification) {
        return HttpDelivery.post(client, url, body(notification), timeout, clock);
    }

    /** The JSON body posted for {@code notification}. */
    public static String body(Notification notification) {
        return switch (notification) {
            case Alert alert -> body(alert);
            case LagAlert alert -> body(alert);
        };
    }

    private static String body(LagAlert alert) {
        ObjectNode node = JSON.createObjectNode()
                .put("kind", LAG_STATUS)
                .put("group", alert.group())
                .put("previous", alert.previous().name())
                .put("status", alert.current().name())
                .put("lag", alert.lag())
                .put("lagSeconds", alert.lagSeconds())
                .put("lagSecondsLowerBound", alert.lagTimeIsLowerBound());
        ArrayNode topics = node.putArray("topics");
        alert.topics().forEach(topics::add);
        node.put("state", alert.state()).put("members", alert.members());
        alert.error().ifPresentOrElse(error -> node.put("error", error), () -> node.putNull("error"));
        return node.put("changes", alert.changes())
                .put("at", alert.at().toString())
                .put("command", alert.lagCommand())
                .toString();
    }

    private static String body(Alert alert) {
        ObjectNode node = JSON.createObjectNode()
                .put("kind", alert.kind().name())
                .put("queue", alert.key().queue())
                .put("type", alert.key().type())
                .put("reason", alert.key().reason())
                .put("errorClass", alert.key().errorClass())
                .put("errorMessage", alert.errorMessage())
                .put("count", alert.count())
                .put("firstJobId", alert.firstJobId())
                .put("lastJobId", alert.lastJobId())
                .put("from", alert.from().toString())
                .put("to", alert.to().toString())
                .put("replayCommand", alert.replayCommand());
        return node.toString();
    }
}
