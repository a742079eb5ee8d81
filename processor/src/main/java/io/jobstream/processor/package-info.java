/**
 * The worker runtime's public API: {@link io.jobstream.processor.JobProcessor} runs the jobs of one queue with the
 * {@link io.jobstream.processor.JobHandler}s registered per job type, configured by {@link
 * io.jobstream.processor.ProcessorConfig} ({@code jobstream.worker.*}).
 *
 * <p><b>Threading.</b> One platform thread per processor polls Kafka and owns all bookkeeping; each job's handler runs
 * on a virtual thread of its own, so handlers may block. Handlers of different jobs run concurrently up to {@code
 * jobstream.worker.concurrency}; jobs with one ordering key run one at a time, in order ({@link
 * io.jobstream.processor.OrderingMode}). {@link io.jobstream.processor.JobProcessor#close(java.time.Duration)} may be
 * called from any thread, any number of times. A {@link io.jobstream.processor.BatchHandler} takes up to N ready jobs
 * of one type at once on one virtual thread; its items are still acknowledged (and failed) one by one.
 *
 * <p><b>Failure contract.</b> A job ends succeeded (the handler returned) or failed: its {@code JobFailure} written to
 * {@code <queue>.failed} and acknowledged, with a stable reason ({@code HANDLER_ERROR}, {@code TIMEOUT}, {@code
 * DECODE_ERROR}, {@code UNKNOWN_TYPE}, {@code EXPIRED}) and a retryable flag. Only then is it finished, and offsets are
 * committed only past finished jobs. A bad record never stops the processor or blocks its partition; faults of the
 * processor itself are {@code JobstreamException}s, and configuration errors {@code ConfigException}s naming the key.
 *
 * <p><b>Coordination.</b> A job type may declare {@link io.jobstream.processor.CoordinationRules} (a lock named by a
 * {@link io.jobstream.processor.KeyTemplate}, a semaphore permit, a rate token, idempotency), taken from the {@code
 * Coordination} store given to the builder on the job's own thread before its handler runs. What cannot be had within
 * {@code jobstream.worker.coordination-wait}, or a store that is unreachable, defers the job (re-published through a
 * delay tier, attempt unchanged; finished once acknowledged) — never a failure and never an unguarded run. An
 * idempotent type's id that already succeeded is skipped (finished). A lock key that cannot be resolved fails the job,
 * non-retryable.
 *
 * <p><b>Events.</b> At {@link io.jobstream.processor.EventLevel#OUTCOMES} (default) and {@code ALL} the processor
 * writes {@code JobEvent}s to {@code <queue>.events}; a job whose outcome has an event finishes only once the broker
 * acknowledged the event.
 */
package io.jobstream.processor;
