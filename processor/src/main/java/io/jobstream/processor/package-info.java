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
 */
package io.jobstream.processor;
