package io.jobstream.processor;

import java.util.Objects;

/**
 * One job of a batch: its context and its payload. A {@link BatchResult} names failed items by identity: pass the
 * very item the handler was given.
 *
 * @param context the job's context (deadline: the whole batch's)
 * @param payload the job's payload, read as the registered payload type
 * @param <T> the payload type
 */
public record BatchItem<T>(JobContext context, T payload) {
    public BatchItem {
        Objects.requireNonNull(context, "context");
    }
}
