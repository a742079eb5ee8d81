package io.jobstream.processor;

/**
 * Runs jobs of one type. Called on a virtual thread of its own per job, so it may block (I/O, locks, sleeps); it
 * should return promptly once {@link JobContext#isCancelled()} turns true or its thread is interrupted (the job timed
 * out or the processor is closing).
 *
 * <p>Returning normally means the job succeeded. Throwing means it failed: the failure goes to {@code <queue>.failed}
 * as {@code HANDLER_ERROR}, retryable unless the exception is a {@link NonRetryableException} or one of the
 * never-retried classes listed in the processor README.
 *
 * @param <T> the payload type: a Jackson-mapped class for JSON payloads, an Avro {@code SpecificRecord}, or {@code
 *     byte[]} for the raw bytes
 */
@FunctionalInterface
public interface JobHandler<T> {

    /** Runs one job. */
    void handle(JobContext context, T payload) throws Exception;
}
