package io.jobstream.dlq.replay;

import io.jobstream.schemas.DeadLetter;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One record of {@code <queue>.dlq}, as listed and shown.
 *
 * @param topic the DLQ topic
 * @param partition its partition
 * @param offset its offset
 * @param jobId the job's id ({@code unknown} when the dead letter holds no decodable job)
 * @param type the job's type ({@code unknown} without a job)
 * @param reason the last failure's reason
 * @param errorClass the last failure's exception class, empty when none
 * @param errorMessage the last failure's message
 * @param attempt the last attempt (0 without a job)
 * @param deadAt when it was dead-lettered
 * @param replayed whether {@code <queue>.dlq.replayed} records it as replayed
 * @param letter the whole dead letter (history, raw bytes...)
 */
public record DeadLetterEntry(
        String topic,
        int partition,
        long offset,
        String jobId,
        String type,
        String reason,
        String errorClass,
        String errorMessage,
        int attempt,
        Instant deadAt,
        boolean replayed,
        DeadLetter letter) {
    public DeadLetterEntry {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(errorMessage, "errorMessage");
        Objects.requireNonNull(deadAt, "deadAt");
        Objects.requireNonNull(letter, "letter");
    }

    /** {@code <topic>/<partition>/<offset>}: the value of a replayed job's {@code jobstream.replayed-from} header. */
    public String address() {
        return topic + "/" + partition + "/" + offset;
    }

    /** {@code <partition>/<offset>}: the key of its record in {@code <queue>.dlq.replayed}. */
    public String replayedKey() {
        return partition + "/" + offset;
    }

    /** Whether it holds a job that can be replayed. */
    public boolean hasJob() {
        return letter.getLastFailure().getJob().isPresent();
    }

    /** The dead job, when it could be decoded. */
    public Optional<io.jobstream.schemas.Job> job() {
        return letter.getLastFailure().getJob();
    }
}
