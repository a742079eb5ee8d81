package io.jobstream.processor.internal;

import io.jobstream.schemas.FailureReason;

/** How one job ended in this processor. */
public sealed interface Outcome {

    /** The handler returned normally. */
    record Succeeded() implements Outcome {}

    /** The job failed and its failure record was acknowledged by {@code <queue>.failed}. */
    record Failed(FailureReason reason, boolean retryable) implements Outcome {}

    /**
     * The processor gave up on the job (closing, or an internal fault) without finishing it: its offset is never
     * committed by this assignment, so another worker runs it again.
     */
    record Abandoned(String why) implements Outcome {}

    /** Whether the job finished (succeeded, or its failure was written): its offset may be committed. */
    default boolean finished() {
        return !(this instanceof Abandoned);
    }

    /** A job's outcome handed back to the poll thread. */
    record Completion(Work work, Outcome outcome) {}
}
