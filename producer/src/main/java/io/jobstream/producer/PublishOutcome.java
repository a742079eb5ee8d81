package io.jobstream.producer;

import io.jobstream.schemas.Job;
import java.util.Objects;

/**
 * What became of one job of a {@link JobPublisher#publishAll batch}: acknowledged, rejected before sending, or failed
 * while sending. Every job of a batch gets exactly one outcome, in the batch's order.
 */
public sealed interface PublishOutcome {
    /** The job's id. */
    String jobId();

    /** Whether Kafka acknowledged the job. */
    default boolean isPublished() {
        return this instanceof Published;
    }

    /**
     * Kafka acknowledged the job.
     *
     * @param receipt where the record is
     */
    record Published(JobReceipt receipt) implements PublishOutcome {
        /** Checks the receipt is present. */
        public Published {
            Objects.requireNonNull(receipt, "receipt");
        }

        @Override
        public String jobId() {
            return receipt.jobId();
        }
    }

    /**
     * The job was refused before sending; nothing was written.
     *
     * @param job the job
     * @param error why
     */
    record Rejected(Job job, JobRejectedException error) implements PublishOutcome {
        /** Checks both are present. */
        public Rejected {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String jobId() {
            return job.getId();
        }
    }

    /**
     * Kafka did not acknowledge the job. It may or may not have been written (a timeout after the broker wrote it);
     * publishing it again with the same id lets consumers drop the duplicate.
     *
     * @param job the job
     * @param error why
     */
    record Failed(Job job, PublishFailedException error) implements PublishOutcome {
        /** Checks both are present. */
        public Failed {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String jobId() {
            return job.getId();
        }
    }
}
