package io.jobstream.processor.internal;

import io.jobstream.processor.JobHandler;
import java.util.Objects;

/**
 * A handler registered for a job type, with the reader of its payload type.
 *
 * @param type the job type
 * @param reader reads the payload
 * @param handler runs the job
 * @param <T> the payload type
 */
public record HandlerRegistration<T>(String type, PayloadReader<T> reader, JobHandler<? super T> handler) {
    public HandlerRegistration {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(handler, "handler");
    }
}
