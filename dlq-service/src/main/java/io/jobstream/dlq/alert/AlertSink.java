package io.jobstream.dlq.alert;

import java.time.Instant;

/**
 * Where alerts go: {@link SlackSink}, {@link WebhookSink}, {@link LogSink}. A sink delivers every kind of {@link
 * Notification} (dead-letter {@link Alert}s and {@link LagAlert}s), makes one delivery attempt per call and says how
 * it went; retries, rate limits and {@code Retry-After} are the {@link AlertAggregator}'s job.
 *
 * <p>Threading: {@link #deliver(Notification)} is called from the sink's one outbox thread, never concurrently. Failure
 * contract: a sink never throws for an expected outcome (HTTP status, I/O error): it returns a {@link Delivery}.
 */
public interface AlertSink {
    /** The sink's name, the {@code sink} tag of its meters (e.g. {@code slack}). */
    String name();

    /** Makes one attempt to deliver {@code notification}. */
    Delivery deliver(Notification notification);

    /** How one delivery attempt went. */
    sealed interface Delivery {
        /** Delivered. */
        record Delivered() implements Delivery {}

        /** Throttled (HTTP 429): try again, and send nothing to this sink, before {@code notBefore}. */
        record RetryAfter(Instant notBefore) implements Delivery {}

        /**
         * Not delivered.
         *
         * @param retryable whether another attempt may work (5xx, I/O error); a permanent failure (e.g. 404) drops
         *     the alert
         * @param reason what happened, for the log
         */
        record Failed(boolean retryable, String reason) implements Delivery {}
    }
}
