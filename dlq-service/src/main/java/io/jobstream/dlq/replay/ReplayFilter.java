package io.jobstream.dlq.replay;

import io.jobstream.schemas.Topics;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which dead letters of a queue to list or replay. Every set criterion must hold; unset ones match everything.
 *
 * @param queue the queue whose {@code <queue>.dlq} is read
 * @param type the job type (exact)
 * @param reason the failure reason (case-insensitive, e.g. {@code handler_error})
 * @param errorContains a text the error class or message contains (case-insensitive)
 * @param since dead at or after
 * @param until dead before
 * @param ids job ids (any of them); empty for all
 * @param limit the most dead letters matched, oldest first per partition
 */
public record ReplayFilter(
        String queue,
        Optional<String> type,
        Optional<String> reason,
        Optional<String> errorContains,
        Optional<Instant> since,
        Optional<Instant> until,
        Set<String> ids,
        OptionalInt limit) {
    public ReplayFilter {
        Topics.queue(queue);
        Objects.requireNonNull(type, "type");
        reason = Objects.requireNonNull(reason, "reason").map(r -> r.strip().toUpperCase(Locale.ROOT));
        Objects.requireNonNull(errorContains, "errorContains");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        ids = Set.copyOf(Objects.requireNonNull(ids, "ids"));
        Objects.requireNonNull(limit, "limit");
        if (limit.isPresent() && limit.getAsInt() < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit.getAsInt());
        }
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new IllegalArgumentException(
                    "since (" + since.get() + ") must be before until (" + until.get() + ")");
        }
    }

    /** Every dead letter of {@code queue}. */
    public static ReplayFilter all(String queue) {
        return new ReplayFilter(
                queue,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Set.of(),
                OptionalInt.empty());
    }

    public ReplayFilter withType(String type) {
        return new ReplayFilter(queue, Optional.of(type), reason, errorContains, since, until, ids, limit);
    }

    public ReplayFilter withReason(String reason) {
        return new ReplayFilter(queue, type, Optional.of(reason), errorContains, since, until, ids, limit);
    }

    public ReplayFilter withErrorContains(String text) {
        return new ReplayFilter(queue, type, reason, Optional.of(text), since, until, ids, limit);
    }

    public ReplayFilter withSince(Instant since) {
        return new ReplayFilter(queue, type, reason, errorContains, Optional.of(since), until, ids, limit);
    }

    public ReplayFilter withUntil(Instant until) {
        return new ReplayFilter(queue, type, reason, errorContains, since, Optional.of(until), ids, limit);
    }

    public ReplayFilter withIds(Set<String> ids) {
        return new ReplayFilter(queue, type, reason, errorContains, since, until, ids, limit);
    }

    public ReplayFilter withLimit(int limit) {
        return new ReplayFilter(queue, type, reason, errorContains, since, until, ids, OptionalInt.of(limit));
    }

    /** Whether {@code entry} meets every criterion but the limit. */
    public boolean matches(DeadLetterEntry entry) {
        if (type.isPresent() && !type.get().equals(entry.type())) {
            return false;
        }
        if (reason.isPresent() && !reason.get().equals(entry.reason())) {
            return false;
        }
        if (errorContains.isPresent()) {
            String needle = errorContains.get().toLowerCase(Locale.ROOT);
            String hay = (entry.errorClass() + "\n" + entry.errorMessage()).toLowerCase(Locale.ROOT);
            if (!hay.contains(needle)) {
                return false;
            }
        }
        if (since.isPresent() && entry.deadAt().isBefore(since.get())) {
            return false;
        }
        if (until.isPresent() && !entry.deadAt().isBefore(until.get())) {
            return false;
        }
        return ids.isEmpty() || ids.contains(entry.jobId());
    }
}
