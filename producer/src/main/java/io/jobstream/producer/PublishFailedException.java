package io.jobstream.producer;

import io.jobstream.schemas.JobstreamException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * A job that was valid but not acknowledged by Kafka: the broker was unreachable, the send timed out
 * ({@code delivery.timeout.ms}), the record was too large for the broker, or the publisher was closed. The message
 * names the topic and the bootstrap servers. Retriable when Kafka says the cause is transient (a timeout, a lost
 * leader, not enough in-sync replicas); a retry may then duplicate the job if the first attempt was in fact written,
 * which the job id makes detectable.
 */
public final class PublishFailedException extends JobstreamException {
    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    /** A failure caused by {@code cause}; retriable when the cause is a Kafka {@link RetriableException}. */
    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
        this.retriable = cause instanceof RetriableException
                || (cause instanceof JobstreamException jobstream && jobstream.isRetriable());
    }

    /** A failure without an underlying exception (e.g. the publisher is closed); not retriable. */
    public PublishFailedException(String message) {
        super(message);
        this.retriable = false;
    }

    @Override
    public boolean isRetriable() {
        return retriable;
    }
}
