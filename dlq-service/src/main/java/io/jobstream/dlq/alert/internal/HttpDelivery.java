package io.jobstream.dlq.alert.internal;

import io.jobstream.dlq.alert.AlertSink.Delivery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** One JSON POST and what its answer means for an alert: 2xx delivered, 429 throttled, 5xx/I/O retryable. */
public final class HttpDelivery {
    /** The wait after a 429 without a usable {@code Retry-After}. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    private HttpDelivery() {}

    /** POSTs {@code json} to {@code uri} and classifies the answer. */
    public static Delivery post(HttpClient client, URI uri, String json, Duration timeout, Clock clock) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new Delivery.Failed(true, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery.Failed(true, "interrupted");
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Delivery.Delivered();
        }
        if (status == 429) {
            Instant now = clock.instant();
            return new Delivery.RetryAfter(retryAfter(response.headers().firstValue("Retry-After"), now)
                    .orElse(now.plus(DEFAULT_RETRY_AFTER)));
        }
        String reason = "HTTP " + status + ": " + abbreviate(response.body());
        return new Delivery.Failed(status >= 500 || status == 408, reason);
    }

    /**
     * The instant a {@code Retry-After} value allows the next request: delta-seconds after {@code now}, or an HTTP
     * date (never before {@code now}); empty when absent or unreadable.
     */
    public static Optional<Instant> retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            long seconds = Long.parseLong(value);
            return Optional.of(now.plusSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Optional.of(at.isBefore(now) ? now : at);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static String abbreviate(String body) {
        String line = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }
}
