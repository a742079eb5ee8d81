package io.jobstream.api.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.JobRejectedException;
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
 * rejection as 400/404/413; a failure or a wait past the timeout as 503. A 503's body holds a stable code and a
 * generic message, never the exception's text (it names brokers, topics and classes): the detail is logged, with
 * untrusted text encoded. Thread-safe.
 */
public final class Publishing {
    private static final Logger LOG = LoggerFactory.getLogger(Publishing.class);
    /** When a client may retry after the broker was unavailable. */
    static final Duration RETRY_AFTER_UNAVAILABLE = Duration.ofSeconds(5);

    private final Duration timeout;
    private final AtomicLong unavailable = new AtomicLong();
    private final java.util.Set<String> faultsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Waits at most {@code timeout} for each acknowledgement. */
    public Publishing(Duration timeout) {
        this.timeout = timeout;
    }

    /** The receipt, once Kafka acknowledged the job; otherwise an {@link ApiProblem}. */
    public JobReceipt await(CompletableFuture<JobReceipt> receipt) {
        try {
            return receipt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable(
                    "Kafka did not acknowledge the job within " + timeout.toMillis() + " ms; it may still be"
                            + " written, so retry with the same Idempotency-Key (or id)",
                    null);
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
            throw unavailable(
                    "Kafka did not acknowledge every job within " + timeout.toMillis() + " ms; some may"
                            + " still be written, so retry with the same ids or idempotency keys",
                    null);
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
                case RECORD_TOO_LARGE ->
                    new ApiProblem(
                            413,
                            "RECORD_TOO_LARGE",
                            "the job, encoded with its id, type, ordering key and headers, is larger than its topic"
                                    + " takes; send a smaller payload or fewer headers");
                default -> ApiProblem.badRequest(rejected.reason().name(), rejected.getMessage());
            };
        }
        return unavailable(NOT_ACKNOWLEDGED, error);
    }

    /** The one message of a publish Kafka did not acknowledge: what the client may do, nothing of the server. */
    static final String NOT_ACKNOWLEDGED = "Kafka did not acknowledge the job; it may still be written, so retry with"
            + " the same Idempotency-Key (or id)";

    /**
     * The 500 for a fault while handling a request on {@code route}: a generic message and stable code for the
     * client, the detail in the log (the first of each exception class with its trace).
     */
    public ApiProblem internalError(String route, RuntimeException fault) {
        if (faultsSeen.size() < 100 && faultsSeen.add(fault.getClass().getName())) {
            LOG.error("api outcome=internal_error route={} detail=\"{}\"", route, encoded(fault.toString()), fault);
        } else {
            LOG.warn("api outcome=internal_error route={} detail=\"{}\"", route, encoded(fault.toString()));
        }
        return new ApiProblem(500, "INTERNAL_ERROR", "the server failed to handle the request; it is logged");
    }

    /** The receipt as the API shows it. */
    public static ObjectNode receiptJson(JobReceipt receipt) {
        ObjectNode node = JobRequests.MAPPER.createObjectNode();
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

    private ApiProblem unavailable(String message, Throwable detail) {
        long n = unavailable.incrementAndGet();
        if (n == 1 || Long.bitCount(n) == 1) {
            LOG.warn(
                    "api outcome=broker_unavailable count={} reason=\"{}\" detail=\"{}\"",
                    n,
                    encoded(message),
                    detail == null ? "" : encoded(detail.toString()));
        }
        return new ApiProblem(503, "BROKER_UNAVAILABLE", message, Optional.of(RETRY_AFTER_UNAVAILABLE));
    }

    /** {@code text} for one log line: quotes, backslashes and control characters escaped, at most 2,000 chars. */
    public static String encoded(String text) {
        String head = text.length() > 2_000 ? text.substring(0, 2_000) + "..." : text;
        StringBuilder out = new StringBuilder(head.length() + 16);
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
