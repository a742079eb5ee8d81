package io.jobstream.processor;

import java.util.List;

/**
 * Runs up to {@code maxBatchSize} jobs of one type at once (registered with {@link
 * JobProcessor.Builder#handleBatch}). Called on one virtual thread per batch, so it may block; it should return
 * promptly once an item's {@link JobContext#isCancelled()} turns true or its thread is interrupted (the batch timed out
 * or the processor is closing).
 *
 * <p>Items are acknowledged individually: the returned {@link BatchResult} says which items failed (each becomes a
 * {@code HANDLER_ERROR} failure in {@code <queue>.failed}, retryable unless its exception is never-retried); the rest
 * succeeded. Throwing fails every item of the batch with that exception.
 *
 * @param <T> the payload type, read as for {@link JobHandler}
 */
@FunctionalInterface
public interface BatchHandler<T> {

    /** Runs one batch: at least one item, each a distinct job, in the order they became ready. */
    BatchResult handle(List<BatchItem<T>> items) throws Exception;
}
