package io.jobstream.cli.faults;

import io.jobstream.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a fault run leaves behind for the {@link InvariantChecker}: the workload's record of the jobs it had accepted,
 * and what the system wrote (the {@code <queue>.events} stream, the records of the queue and its delay tiers, the
 * {@code <queue>.dlq} records).
 *
 * @param accepted every job the workload had acknowledged (202 or an acknowledged publish), with what it expects
 * @param events the {@code <queue>.events} records, in any order
 * @param records the job records of the queue topic and its delay tiers (read committed)
 * @param deadLetters the job id of each {@code <queue>.dlq} record, one entry per record
 * @param schedulePeriods each cron schedule under test and its period (an {@code @every} schedule)
 * @param statuses what the job-status API answered for a job ({@code GET /v1/jobs/{id}}): its state, or
 *     {@link #UNKNOWN} for a 404; a job not in the map was not asked
 * @param unacknowledged every job the workload tried to publish that was not acknowledged: refused or failed (its
 *     publisher said so), or never answered (its future did not complete, or its outcome was missing)
 * @param pauses every time a worker was frozen (SIGSTOP to SIGCONT) by the fault run
 */
record History(
        List<Accepted> accepted,
        List<Event> events,
        List<JobRecord> records,
        List<String> deadLetters,
        Map<String, Duration> schedulePeriods,
        Map<String, String> statuses,
        List<Unacknowledged> unacknowledged,
        List<Pause> pauses) {

    /** The status API's answer for a job it does not know. */
    static final String UNKNOWN = "UNKNOWN";

    History {
        accepted = List.copyOf(accepted);
        events = List.copyOf(events);
        records = List.copyOf(records);
        deadLetters = List.copyOf(deadLetters);
        schedulePeriods = Map.copyOf(schedulePeriods);
        statuses = Map.copyOf(statuses);
        unacknowledged = List.copyOf(unacknowledged);
        pauses = List.copyOf(pauses);
    }

    /** A history of a run that froze no worker. */
    History(
            List<Accepted> accepted,
            List<Event> events,
            List<JobRecord> records,
            List<String> deadLetters,
            Map<String, Duration> schedulePeriods,
            Map<String, String> statuses,
            List<Unacknowledged> unacknowledged) {
        this(accepted, events, records, deadLetters, schedulePeriods, statuses, unacknowledged, List.of());
    }

    /** This history with the status API's answers. */
    History withStatuses(Map<String, String> answers) {
        return new History(accepted, events, records, deadLetters, schedulePeriods, answers, unacknowledged, pauses);
    }

    /** This history with the times workers were frozen. */
    History withPauses(List<Pause> frozen) {
        return new History(accepted, events, records, deadLetters, schedulePeriods, statuses, unacknowledged, frozen);
    }

    /**
     * A worker frozen by the fault run, at least from {@code from} to {@code to}: {@code from} is taken once {@code kill
     * -STOP} has returned, {@code to} before {@code kill -CONT} is sent, so the worker was frozen all along.
     *
     * @param workerId the worker's id (as in its events)
     */
    record Pause(String workerId, Instant from, Instant to) {
        Pause {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * A job the workload tried to publish that was not acknowledged.
     *
     * @param id the job id
     * @param channel how it was published ({@code http}, {@code JobPublisher}, {@code producer})
     * @param at when the publisher answered (or was given up on)
     * @param answered whether the publisher reported the failure (a refusal, a failed future, a {@code Failed}
     *     outcome); false when it never said what became of the job (its future did not complete within a minute,
     *     completed exceptionally, or lacked the job's outcome)
     */
    record Unacknowledged(String id, String channel, Instant at, boolean answered) {
        Unacknowledged {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(at, "at");
        }
    }

    /** The terminal states a job can be expected to reach. */
    enum Terminal {
        SUCCEEDED,
        DEAD_LETTERED,
        EXPIRED;

        JobState state() {
            return JobState.valueOf(name());
        }
    }

    /**
     * A job the workload had accepted.
     *
     * @param id the job id
     * @param expected the terminal state it must reach
     * @param orderingKey its ordering key, or null
     * @param positionInKey its publish position among the jobs of its key (0, 1, ...); ignored without a key
     * @param dueAt when it was due (a delayed job), or null
     */
    record Accepted(String id, Terminal expected, String orderingKey, int positionInKey, Instant dueAt) {
        Accepted {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(expected, "expected");
        }

        static Accepted of(String id, Terminal expected) {
            return new Accepted(id, expected, null, 0, null);
        }

        static Accepted keyed(String id, Terminal expected, String key, int position) {
            return new Accepted(id, expected, key, position, null);
        }

        static Accepted delayed(String id, Terminal expected, Instant dueAt) {
            return new Accepted(id, expected, null, 0, dueAt);
        }
    }

    /** A {@code JobEvent} as the checker needs it; {@code workerId} may be null. */
    record Event(String jobId, JobState state, int attempt, Instant at, String workerId) {
        Event {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A job record on the queue topic or one of its delay tiers.
     *
     * @param topic the topic it was read from
     * @param jobId the job's id
     * @param attempt the job's attempt
     * @param delayTier whether the topic is a delay tier ({@code <queue>.delay.<tier>})
     * @param dueAt its {@code jobstream.due-at} header, or null
     * @param schedule its {@code jobstream.schedule} header (a cron tick's job), or null
     * @param tick its {@code jobstream.scheduled-at} header, or null
     */
    record JobRecord(
            String topic, String jobId, int attempt, boolean delayTier, Instant dueAt, String schedule, Instant tick) {
        JobRecord {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(jobId, "jobId");
        }
    }
}
