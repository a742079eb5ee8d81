package io.jobstream.api.internal.status;

import io.jobstream.api.JobStatus;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One job's entry in the status store, and the fold that turns it and the next event into the new entry. Values are
 * immutable; nullable fields are absent facts (no enqueue seen, no error, no replay).
 *
 * <p>Events arrive in the order of their partition, which is not always the order they happened in: the processor
 * and the dlq-service write with different producers, and ENQUEUED comes through another topic. An event is
 * <em>late</em> when it is older than the state already folded: of an earlier replay round (before the latest
 * {@code REPLAYED}), of an earlier attempt or an earlier step of the same attempt, or anything but a replay after a
 * terminal state. A late event goes into the history (in time order) and may lower the first enqueue time or raise
 * the attempt count, but never moves the state back. An event already in the history is a duplicate and changes
 * nothing.
 *
 * @param id the job id
 * @param queue the queue of the latest event in order
 * @param type the job type
 * @param state the current state
 * @param stateAttempt the attempt of the event that set the state
 * @param stateAt when the state was entered (epoch ms)
 * @param attemptsBefore attempts run before the latest replay
 * @param roundAttempts attempts run since the latest replay (the highest attempt seen)
 * @param enqueuedAt the earliest ENQUEUED (epoch ms), or null
 * @param updatedAt the newest event time (epoch ms)
 * @param lastError the error of the newest failure in order, or null
 * @param replayedAt the latest REPLAYED (epoch ms), or null
 * @param eventCount events folded in
 * @param events the kept events, oldest first
 * @param expireAt when the entry may be purged (epoch ms)
 */
public record StoredStatus(
        String id,
        String queue,
        String type,
        JobState state,
        int stateAttempt,
        long stateAt,
        int attemptsBefore,
        int roundAttempts,
        Long enqueuedAt,
        long updatedAt,
        String lastError,
        Long replayedAt,
        long eventCount,
        List<StoredEvent> events,
        long expireAt) {

    /** Copies the history. */
    public StoredStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        events = List.copyOf(events);
    }

    /**
     * One kept event.
     *
     * @param state the state entered
     * @param attempt its attempt
     * @param at when (epoch ms)
     * @param workerId the reporting worker, or null
     * @param error the one-line error, or null
     */
    public record StoredEvent(JobState state, int attempt, long at, String workerId, String error) {
        static StoredEvent of(JobEvent event) {
            return new StoredEvent(
                    event.getState(),
                    event.getAttempt(),
                    event.getAt().toEpochMilli(),
                    event.getWorkerId().orElse(null),
                    event.getError().orElse(null));
        }
    }

    /** How an event was folded. */
    public enum Outcome {
        /** The event moved the state forward. */
        APPLIED,
        /** The event is older than the state: kept in the history, the state unchanged. */
        LATE,
        /** The event is already in the history: nothing changed. */
        DUPLICATE,
        /** The event's state is one this reader does not know ({@code UNKNOWN}): kept in the history only. */
        UNKNOWN_STATE
    }

    /**
     * The new entry and how the event was folded.
     *
     * @param status the new entry (the current one for a duplicate)
     * @param outcome how the event was folded
     */
    public record Folded(StoredStatus status, Outcome outcome) {}

    /**
     * The limits of one store.
     *
     * @param historySize events kept per job
     * @param retention kept after the terminal state
     * @param idleRetention kept after the last event while not terminal
     */
    public record Limits(int historySize, Duration retention, Duration idleRetention) {}

    /** Folds {@code event} into {@code current} (null for a job not seen yet). */
    public static Folded fold(StoredStatus current, JobEvent event, Limits limits) {
        StoredEvent stored = StoredEvent.of(event);
        if (current == null) {
            return new Folded(first(event, stored, limits), Outcome.APPLIED);
        }
        if (current.events.contains(stored)) {
            return new Folded(current, Outcome.DUPLICATE);
        }
        JobState state = event.getState();
        long at = stored.at();
        List<StoredEvent> history = inserted(current.events, stored, limits.historySize());
        Long enqueuedAt = state == JobState.ENQUEUED
                ? Long.valueOf(current.enqueuedAt == null ? at : Math.min(current.enqueuedAt, at))
                : current.enqueuedAt;
        long updatedAt = Math.max(current.updatedAt, at);
        long count = current.eventCount + 1;
        boolean previousRound = current.replayedAt != null
                && (state == JobState.REPLAYED ? at <= current.replayedAt : at < current.replayedAt);
        Outcome outcome;
        StoredStatus next;
        if (state == JobState.UNKNOWN) {
            outcome = Outcome.UNKNOWN_STATE;
            next = current.with(history, enqueuedAt, updatedAt, count, current.roundAttempts);
        } else if (previousRound) {
            outcome = Outcome.LATE;
            next = current.with(history, enqueuedAt, updatedAt, count, current.roundAttempts);
        } else if (state == JobState.REPLAYED) {
            outcome = Outcome.APPLIED;
            next = new StoredStatus(
                    current.id,
                    event.getQueue(),
                    event.getType(),
                    JobState.REPLAYED,
                    event.getAttempt(),
                    at,
                    current.attemptsBefore + current.roundAttempts,
                    0,
                    enqueuedAt,
                    updatedAt,
                    current.lastError,
                    at,
                    count,
                    history,
                    0);
        } else {
            int roundAttempts = Math.max(current.roundAttempts, attemptsRun(event));
            if (state == JobState.ENQUEUED) {
                // The enqueue comes through another topic and often after the first outcome: it only dates the job.
                outcome = Outcome.APPLIED;
                next = current.with(history, enqueuedAt, updatedAt, count, roundAttempts);
            } else if (isLate(current, event)) {
                outcome = Outcome.LATE;
                next = current.with(history, enqueuedAt, updatedAt, count, roundAttempts);
            } else {
                outcome = Outcome.APPLIED;
                next = new StoredStatus(
                        current.id,
                        event.getQueue(),
                        event.getType(),
                        state,
                        event.getAttempt(),
                        at,
                        current.attemptsBefore,
                        roundAttempts,
                        enqueuedAt,
                        updatedAt,
                        event.getError().orElse(current.lastError),
                        current.replayedAt,
                        count,
                        history,
                        0);
            }
        }
        return new Folded(next.withExpiry(limits), outcome);
    }

    /** The public view of this entry. */
    public JobStatus view() {
        return new JobStatus(
                id,
                queue,
                type,
                state,
                attemptsBefore + roundAttempts,
                Optional.ofNullable(enqueuedAt).map(Instant::ofEpochMilli),
                Instant.ofEpochMilli(updatedAt),
                Optional.ofNullable(lastError),
                eventCount,
                events.stream()
                        .map(e -> new JobStatus.Event(
                                e.state(),
                                e.attempt(),
                                Instant.ofEpochMilli(e.at()),
                                Optional.ofNullable(e.workerId()),
                                Optional.ofNullable(e.error())))
                        .toList());
    }

    private static StoredStatus first(JobEvent event, StoredEvent stored, Limits limits) {
        JobState state = event.getState();
        long at = stored.at();
        boolean replay = state == JobState.REPLAYED;
        return new StoredStatus(
                        event.getJobId(),
                        event.getQueue(),
                        event.getType(),
                        state,
                        event.getAttempt(),
                        at,
                        0,
                        replay ? 0 : attemptsRun(event),
                        state == JobState.ENQUEUED ? Long.valueOf(at) : null,
                        at,
                        event.getError().orElse(null),
                        replay ? Long.valueOf(at) : null,
                        1,
                        List.of(stored),
                        0)
                .withExpiry(limits);
    }

    /** Attempts an event shows have run: RETRY_SCHEDULED names the next one, ENQUEUED and EXPIRED none. */
    private static int attemptsRun(JobEvent event) {
        return switch (event.getState()) {
            case STARTED, SUCCEEDED, FAILED, DEAD_LETTERED -> event.getAttempt();
            case RETRY_SCHEDULED -> event.getAttempt() - 1;
            default -> 0;
        };
    }

    /** Whether {@code event} comes before the state already folded (same replay round). */
    private static boolean isLate(StoredStatus current, JobEvent event) {
        if (JobStatus.isTerminal(current.state)) {
            return true; // the first terminal state stands until a replay
        }
        int slot = slot(event.getState(), event.getAttempt());
        int currentSlot = slot(current.state, current.stateAttempt);
        if (slot != currentSlot) {
            return slot < currentSlot;
        }
        return rank(event.getState()) < rank(current.state);
    }

    /** The attempt an event belongs to: a retry scheduled for attempt n follows attempt n - 1. */
    private static int slot(JobState state, int attempt) {
        return switch (state) {
            case ENQUEUED, REPLAYED -> 0;
            case RETRY_SCHEDULED -> attempt - 1;
            default -> attempt;
        };
    }

    /** The order of the steps of one attempt. */
    private static int rank(JobState state) {
        return switch (state) {
            case ENQUEUED, REPLAYED, UNKNOWN -> 0;
            case STARTED -> 1;
            case FAILED -> 2;
            case RETRY_SCHEDULED -> 3;
            case SUCCEEDED, DEAD_LETTERED, EXPIRED -> 4;
        };
    }

    /** The history with {@code event} in time order (after events of the same time), the oldest dropped beyond size. */
    private static List<StoredEvent> inserted(List<StoredEvent> events, StoredEvent event, int size) {
        List<StoredEvent> out = new ArrayList<>(events.size() + 1);
        int at = events.size();
        while (at > 0 && events.get(at - 1).at() > event.at()) {
            at--;
        }
        out.addAll(events.subList(0, at));
        out.add(event);
        out.addAll(events.subList(at, events.size()));
        return out.size() > size ? List.copyOf(out.subList(out.size() - size, out.size())) : out;
    }

    private StoredStatus with(List<StoredEvent> history, Long enqueued, long updated, long count, int round) {
        return new StoredStatus(
                id,
                queue,
                type,
                state,
                stateAttempt,
                stateAt,
                attemptsBefore,
                round,
                enqueued,
                updated,
                lastError,
                replayedAt,
                count,
                history,
                expireAt);
    }

    private StoredStatus withExpiry(Limits limits) {
        Duration keep = JobStatus.isTerminal(state) ? limits.retention() : limits.idleRetention();
        long expiry = JobStatus.isTerminal(state) ? stateAt : updatedAt;
        return new StoredStatus(
                id,
                queue,
                type,
                state,
                stateAttempt,
                stateAt,
                attemptsBefore,
                roundAttempts,
                enqueuedAt,
                updatedAt,
                lastError,
                replayedAt,
                eventCount,
                events,
                Math.addExact(expiry, keep.toMillis()));
    }
}
