package io.jobstream.coordination;

import java.time.Duration;
import java.util.Objects;

/** The outcome of {@link IdempotencyGuard#claim}. */
public sealed interface Claim {

    String jobId();

    /** This caller now runs the job: it must {@link #markDone} or {@link #release()} the claim. */
    non-sealed interface Acquired extends Claim, Lease {

        /**
         * Records the job as done for {@code retention} and stops renewing; later claims answer {@link AlreadyDone}.
         *
         * @return {@code false} when another holder had claimed the id after this claim's lease expired (the id may
         *     then run twice; it is not marked done by this call)
         * @throws CoordinationUnavailableException when the store is unreachable
         */
        boolean markDone(Duration retention);
    }

    /** The job already succeeded (within the retention): skip it. */
    record AlreadyDone(String jobId) implements Claim {
        public AlreadyDone {
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /** Another holder is running the job: defer it; its claim expires in {@code retryAfter} unless renewed. */
    record InProgressElsewhere(String jobId, Duration retryAfter) implements Claim {
        public InProgressElsewhere {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }
}
