package io.jobstream.processor.internal;

import io.jobstream.schemas.FailureReason;

/** How one job ended in this processor. */
public sealed interface Outcome {

    /** The handler returned normally. */
    record Succeeded() implements Outcome {}

    /** The job failed and its failure record was acknowledged by {@code <queue>.failed}. */
    record Failed(FailureReason reason, boolean retryable) implements Outcome {}

    /**
     * The job could not get its lock, permit or rate token in time (or the coordination store was unreachable): it was
     * re-published to a delay tier, attempt unchanged, and the broker acknowledged that.
     */
    record Deferred(String reason) implements Outcome {}

    /** The job's id had already succeeded (idempotent type): it was not run again. */
    record Skipped() implements Outcome {}

    /**
     * The processor gave up on the job (closing, or an internal fault) without finishing it: its offset is never
     * committed by this assignment, so another worker runs it again.
     */
    record Abandoned(String why) implements Outcome {}

    /**
     * Not an outcome yet: the handler succeeded and the job's {@code SUCCEEDED} event is on its way. The job gives its
     * in-flight slot and its ordering lane back now; its outcome follows (a {@link Completion} with {@code released})
     * once the broker acknowledged the event, and only then does its offset count as done.
     */
    record Released() implements Outcome {}

    /**
     * Not an outcome: the handler of a job whose outcome its timeout decided (a {@link Completion} with {@code
     * laneHeld}) has now really returned, so its ordering lane is free. It may come before or after that outcome.
     */
    record HandlerExited() implements Outcome {}

    /** Whether the job finished (succeeded, or its failure was written): its offset may be committed. */
    default boolean finished() {
        return !(this instanceof Abandoned) && !(this instanceof Released) && !(this instanceof HandlerExited);
    }

    /**
     * A job's outcome handed back to the poll thread; {@code released} when a {@link Released} for the job came
     * before it (its slot and lane are already free); {@code laneHeld} when its timeout decided it while the handler
     * may still run: the job's slot is free but its ordering lane is released only by a {@link HandlerExited}.
     */
    record Completion(Work work, Outcome outcome, boolean released, boolean laneHeld) {
        public Completion(Work work, Outcome outcome) {
            this(work, outcome, false, false);
        }

        public Completion(Work work, Outcome outcome, boolean released) {
            this(work, outcome, released, false);
        }
    }
}
