package io.jobstream.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.dlq.internal.alert.HttpDelivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link AlertSink} posting each alert as a flat JSON object to any URL:
 *
 * <pre>{@code
 * {"kind":"AGGREGATED","queue":"emails","type":"send_email","reason":"HANDLER_ERROR",
 *  "errorClass":"java.io.IOException","errorMessage":"smtp down","count":999,
 *  "firstJobId":"01J...","lastJobId":"01J...","from":"2026-...Z","to":"2026-...Z",
 *  "replayCommand":"jobstream dlq replay --queue emails --type send_email --reason HANDLER_ERROR"}
 * }</pre>
 *
 * <p>Answers are classified like {@link SlackSink}'s. Thread-safe.
 */
public final class WebhookSink implements AlertSink {
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
    public Delivery deliver(Alert alert) {
        return HttpDelivery.post(client, url, body(alert), timeout, clock);
    }

    /** The JSON body posted for {@code alert}. */
    public static String body(Alert alert) {
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
