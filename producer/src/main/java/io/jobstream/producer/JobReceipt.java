package io.jobstream.producer;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Proof that Kafka acknowledged a job ({@code acks=all}): where the record is.
 *
 * @param jobId the job's id
 * @param queue the queue the job was published to
 * @param topic the topic the record was written to: the queue, or {@code <queue>.delay.<tier>} for a delayed job
 * @param partition the record's partition
 * @param offset the record's offset
 * @param timestamp the record's timestamp as Kafka reported it
 * @param delayTier the delay tier the job waits in, when it was not yet due
 */
public record JobReceipt(
        String jobId,
        String queue,
        String topic,
        int partition,
        long offset,
        Instant timestamp,
        Optional<Duration> delayTier) {
    /** Checks every field is present. */
    public JobReceipt {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(delayTier, "delayTier");
    }

    /** Whether the job went to a delay tier rather than the queue itself. */
    public boolean isDelayed() {
        return delayTier.isPresent();
    }
}
