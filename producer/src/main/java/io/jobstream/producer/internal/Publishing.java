package io.jobstream.producer.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.PublishFailedException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting for Kafka's acknowledgement and turning the outcome into HTTP: a receipt only once acknowledged; a
 * rejection as 400/404/413; a failure or a wait past the timeout as 503. Thread-safe.
 */
public final class Publishing {
    private static final Logger LOG = LoggerFactory.getLogger(Publishing.class);
    /** When a client may retry after the broker was unavailable. */
    static final Duration RETRY_AFTER_UNAVAILABLE = Duration.ofSeconds(5);

    private final Duration timeout;
    private final AtomicLong unavailable = new AtomicLong();

    /** Waits at most {@code timeout} for each acknowledgement. */
    public Publishing(Duration timeout) {
        this.timeout = timeout;
    }

    /** The receipt, once Kafka acknowledged the job; otherwise an {@link ApiProblem}. */
    public JobReceipt await(CompletableFuture<JobReceipt> receipt) {
        try {
            return receipt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable("Kafka did not acknowledge the job within " + timeout.toMillis() + " ms; it may still be"
                    + " written, so retry with the same Idempotency-Key (or id)");
        } catch (ExecutionException e) {
            throw problemFor(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(
                    503,
                    "SHUTTING_DOWN",
                    "the server is shutting down; the job may still be written, retry with the same Idempotency-Key",
                    Optional.of(RETRY_AFTER_UNAVAILABLE));
        }
    }

    /** {@link #await} for anything that completes within the same timeout. */
    public <T> T awaitAll(CompletableFuture<T> outcome) {
        try {
            return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable("Kafka did not acknowledge every job within " + timeout.toMillis() + " ms; some may"
                    + " still be written, so retry with the same ids or idempotency keys");
        } catch (ExecutionException e) {
            throw problemFor(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(
                    503, "SHUTTING_DOWN", "the server is shutting down", Optional.of(RETRY_AFTER_UNAVAILABLE));
        }
    }

    /** The HTTP problem for a publish that did not succeed. */
    public ApiProblem problemFor(Throwable error) {
        if (error instanceof JobRejectedException rejected) {
            return switch (rejected.reason()) {
                case UNKNOWN_QUEUE -> new ApiProblem(404, "UNKNOWN_QUEUE", rejected.getMessage());
                case NOT_A_QUEUE -> new ApiProblem(404, "NOT_A_QUEUE", rejected.getMessage());
                case PAYLOAD_TOO_LARGE -> new ApiProblem(413, "PAYLOAD_TOO_LARGE", rejected.getMessage());
                default -> ApiProblem.badRequest(rejected.reason().name(), rejected.getMessage());
            };
        }
        if (error instanceof PublishFailedException failed) {
            return unavailable(failed.getMessage());
        }
        return unavailable("the job was not acknowledged: " + error);
    }

    /** The receipt as the API shows it. */
    public static ObjectNode receiptJson(JobReceipt receipt) {
        ObjectNode node = Payloads.MAPPER.createObjectNode();
        node.put("id", receipt.jobId());
        node.put("queue", receipt.queue());
        node.put("topic", receipt.topic());
        node.put("partition", receipt.partition());
        node.put("offset", receipt.offset());
        node.put("timestamp", receipt.timestamp().toString());
        if (receipt.isDelayed()) {
            String prefix = receipt.queue() + ".delay.";
            node.put(
                    "delayedTier",
                    receipt.topic().startsWith(prefix)
                            ? receipt.topic().substring(prefix.length())
                            : receipt.delayTier().orElseThrow().toString());
        }
        return node;
    }

    private ApiProblem unavailable(String message) {
        long n = unavailable.incrementAndGet();
        if (n == 1 || Long.bitCount(n) == 1) {
            LOG.warn("api outcome=broker_unavailable count={} reason=\"{}\"", n, message);
        }
        return new ApiProblem(503, "BROKER_UNAVAILABLE", message, Optional.of(RETRY_AFTER_UNAVAILABLE));
    }
}
