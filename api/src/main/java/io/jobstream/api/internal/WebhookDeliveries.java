package io.jobstream.api.internal;

import io.jobstream.coordination.Claim;
import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.coordination.IdempotencyGuard;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers accepted webhook deliveries for their webhook's replay window, in the coordination store: Redis when
 * {@code jobstream.coordination.redis-uri} is set, so every API replica sees every delivery; this process's memory
 * otherwise (one replica only: a second replica would accept a delivery the first already took). A delivery is claimed
 * before it is published, marked done once Kafka acknowledged it, and released when it was not published, so the
 * sender may send it again. Keys are {@code webhook-<job id>}, apart from the job ids workers claim. Thread-safe.
 */
public final class WebhookDeliveries {
    /** How long a claim in progress lasts unless renewed (the watchdog renews it while the API runs). */
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final IdempotencyGuard guard;

    /** Deliveries remembered by {@code guard}. */
    public WebhookDeliveries(IdempotencyGuard guard) {
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /** What became of a delivery's claim. */
    public sealed interface Admission {}

    /** The first time within the window: publish it, then {@link #published} or {@link #notPublished}. */
    public record First(Claim.Acquired claim) implements Admission {}

    /** Already enqueued within the window: answer with the job id, publish nothing. */
    public record Duplicate() implements Admission {}

    /** Another request with the same delivery is being published right now. */
    public record InProgress(Duration retryAfter) implements Admission {}

    /**
     * Claims the delivery whose job id is {@code jobId}.
     *
     * @throws ApiProblem 503 when the store cannot be reached (the sender retries)
     */
    public Admission admit(String jobId) {
        Claim claim;
        try {
            claim = guard.claim(key(jobId), LEASE);
        } catch (CoordinationUnavailableException e) {
            throw new ApiProblem(
                    503,
                    "UNAVAILABLE",
                    "webhook deliveries cannot be checked for replays right now; send it again later",
                    Optional.of(Publishing.RETRY_AFTER_UNAVAILABLE));
        }
        return switch (claim) {
            case Claim.Acquired acquired -> new First(acquired);
            case Claim.AlreadyDone done -> new Duplicate();
            case Claim.InProgressElsewhere busy -> new InProgress(busy.retryAfter());
        };
    }

    /** Remembers the delivery as enqueued for {@code window}. */
    public void published(First first, Duration window) {
        try {
            first.claim().markDone(window);
        } catch (CoordinationUnavailableException e) {
            first.claim().release(); // best effort: the claim expires with its lease anyway
        }
    }

    /** Forgets the delivery: it was not (or not known to be) enqueued, and may be sent again. */
    public void notPublished(First first) {
        try {
            first.claim().release();
        } catch (CoordinationUnavailableException e) {
            // the claim expires with its lease
        }
    }

    static String key(String jobId) {
        return "webhook-" + jobId;
    }
}
