package io.jobstream.processor.internal;

import io.jobstream.processor.BatchHandler;
import java.time.Duration;
import java.util.Objects;

/**
 * A batch handler registered for a job type, with the reader of its payload type and when its batches flush.
 *
 * @param type the job type
 * @param reader reads the payload
 * @param maxBatchSize a batch flushes when it holds this many jobs
 * @param maxWait a batch flushes this long after its first job arrived, however full
 * @param handler runs the batches
 * @param <T> the payload type
 */
public record BatchRegistration<T>(
        String type, PayloadReader<T> reader, int maxBatchSize, Duration maxWait, BatchHandler<T> handler) {
    public BatchRegistration {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(handler, "handler");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize of job type '" + type + "' must be at least 1");
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait of job type '" + type + "' must not be negative");
        }
    }
}
