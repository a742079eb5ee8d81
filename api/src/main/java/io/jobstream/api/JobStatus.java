package io.jobstream.api;

import io.jobstream.schemas.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the job-status projection knows about one job: its state, how many attempts ran, when it was first enqueued
 * and last updated, its last error and its most recent events (at most {@code jobstream.status.history-size}, oldest
 * first).
 *
 * @param id the job id
 * @param queue the queue of its latest event (a replay to another queue moves it)
 * @param type the job type
 * @param state the state of the latest event in order (late events never move it back)
 * @param attempts the attempts that ran, across replays (a job failing twice then succeeding: 3)
 * @param firstEnqueuedAt when the job first appeared on its queue, if that was seen
 * @param lastUpdatedAt the time of the newest event
 * @param lastError the error of the newest failure, if any
 * @param eventCount how many events were folded in (can exceed {@code events.size()})
 * @param events the most recent events, oldest first
 */
public record JobStatus(
        String id,
        String queue,
        String type,
        JobState state,
        int attempts,
        Optional<Instant> firstEnqueuedAt,
        Instant lastUpdatedAt,
        Optional<String> lastError,
        long eventCount,
        List<Event> events) {

    /** Checks the fields are present. */
    public JobStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(firstEnqueuedAt, "firstEnqueuedAt");
        Objects.requireNonNull(lastUpdatedAt, "lastUpdatedAt");
        Objects.requireNonNull(lastError, "lastError");
        events = List.copyOf(events);
    }

    /** Whether the job reached a terminal state: succeeded, dead-lettered or expired (until a replay). */
    public boolean isTerminal() {
        return isTerminal(state);
    }

    /** Whether {@code state} is terminal: {@code SUCCEEDED}, {@code DEAD_LETTERED} or {@code EXPIRED}. */
    public static boolean isTerminal(JobState state) {
        return state == JobState.SUCCEEDED || state == JobState.DEAD_LETTERED || state == JobState.EXPIRED;
    }

    /**
     * One lifecycle event of the job.
     *
     * @param state the state the job entered
     * @param attempt the attempt the event belongs to (for {@code RETRY_SCHEDULED}: the attempt that will run next)
     * @param at when it happened
     * @param workerId the worker that reported it, if a worker did
     * @param error the one-line error, for failures
     */
    public record Event(JobState state, int attempt, Instant at, Optional<String> workerId, Optional<String> error) {
        /** Checks the fields are present. */
        public Event {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(error, "error");
        }
    }
}
