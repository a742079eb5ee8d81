package io.jobstream.producer;

import io.jobstream.schemas.JobstreamException;
import java.util.Objects;

/**
 * A job the publisher refused before sending anything: the job or the queue is wrong, and sending it again as it is
 * will fail the same way (never retriable). {@link #reason()} is a stable code an HTTP API maps to a status.
 */
public final class JobRejectedException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    /** Why a job was rejected. */
    public enum Reason {
        /** The job's type is empty or blank. */
        EMPTY_TYPE,
        /**
         * A field of the job is out of range: blank id, attempt or max attempts below 1, a blank header name, a text
         * field too long or holding characters it may not, a time the wire cannot hold. The message names the field.
         */
        INVALID_JOB,
        /** The payload is larger than {@code jobstream.publisher.max-payload-size}. */
        PAYLOAD_TOO_LARGE,
        /**
         * The whole encoded record (key, value, headers) is larger than the producer's {@code max.request.size}
         * (checked before sending) or than the topic's {@code max.message.bytes} (the broker refused it; nothing was
         * written).
         */
        RECORD_TOO_LARGE,
        /** The job's {@code expiresAt} has passed. */
        ALREADY_EXPIRED,
        /** The job expires before (or when) it becomes due: it could never run. */
        EXPIRES_BEFORE_DUE,
        /** The queue name is not a valid queue name (lowercase letters, digits, '.', '-'). */
        INVALID_QUEUE_NAME,
        /** The queue's topic (or the delay-tier topic the job needs) does not exist. */
        UNKNOWN_QUEUE,
        /** The job id breaks the id rule ({@code io.jobstream.runtime.JobIds}: charset, at most 128 characters). */
        INVALID_JOB_ID,
        /**
         * The topic is not a queue: a derived topic ({@code .failed}, {@code .delay.<tier>}, {@code .dlq}, {@code
         * .events}, ...), an internal one ({@code __*}, {@code jobstream.*}, Kafka Streams' {@code -changelog} and
         * {@code -repartition}), or a topic {@code jobstream topics create} did not make (see {@link QueueTopics}).
         */
        NOT_A_QUEUE
    }

    private final Reason reason;

    /** A rejection for {@code reason}; the message says what to fix. */
    public JobRejectedException(Reason reason, String message) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message);
        this.reason = reason;
    }

    /** The stable reason code. */
    public Reason reason() {
        return reason;
    }
}
