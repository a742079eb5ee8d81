package io.jobstream.dlq.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A local HTTP server standing in for a webhook (e.g. Slack's): records every request with the time of the given
 * clock, and answers from a script of responses (then 200 "ok").
 */
final class RecordingServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request and what was answered. */
    record Request(Instant at, String body, int status) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The count a Slack message reports (its "*Count*" field). */
        long slackCount() {
            for (JsonNode block : json().path("blocks")) {
                for (JsonNode field : block.path("fields")) {
                    String text = field.path("text").asText();
                    if (text.startsWith("*Count*\n")) {
                        return Long.parseLong(text.substring("*Count*\n".length()));
                    }
                }
            }
            throw new AssertionError("no count in " + body);
        }
    }

    /** A scripted answer. */
    record Answer(int status, Map<String, String> headers) {}

    private final HttpServer server;
    private final Clock clock;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();

    RecordingServer(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Answer answer;
                synchronized (this) {
                    answer = script.isEmpty() ? new Answer(200, Map.of()) : script.pollFirst();
                    requests.add(new Request(clock.instant(), body, answer.status()));
                }
                answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                byte[] reply = (answer.status() == 200 ? "ok" : "no").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer.status(), reply.length);
                exchange.getResponseBody().write(reply);
            }
        });
        server.start();
    }

    /** Answers the next requests with {@code answers}, in order. */
    synchronized RecordingServer answer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort() + "/services/T000/B000/XXXX");
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests answered 200. */
    synchronized List<Request> delivered() {
        return requests.stream().filter(r -> r.status() == 200).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
