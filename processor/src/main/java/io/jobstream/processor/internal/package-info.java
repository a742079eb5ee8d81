/**
 * The processor's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.processor.internal.ProcessorLoop}: the poll thread, the only user of the consumer;
 *   <li>{@link io.jobstream.processor.internal.PartitionProgress}: per partition, which offsets finished and what may
 *       be committed;
 *   <li>{@link io.jobstream.processor.internal.Lanes}: which fetched jobs may start under the ordering mode;
 *   <li>{@link io.jobstream.processor.internal.JobRunner}: the core: one record on a virtual thread, decoded, admitted,
 *       invoked, to its {@link io.jobstream.processor.internal.Outcome}; built once from a {@code JobRunner.Setup} that
 *       {@code JobProcessor}'s builder made and validated. Its parts:
 *       <ul>
 *         <li>{@code HandlerInvocation}: a handler (or batch handler) on the job's thread under its timeout, one sweep
 *             for every run; {@code HandlerRun} is a run's {@code JobContext} and who decided it;
 *         <li>{@code Batcher}: one batch type's waiting jobs, handed over by size or wait;
 *         <li>{@code FailureRecords}: a failed job's {@code JobFailure} to {@code <queue>.failed}, trimmed when refused
 *             for good;
 *         <li>{@code Deferrals}: a job that may not run yet, back through a delay tier;
 *         <li>{@code EventSender}: the jobs' events to {@code <queue>.events}, on a sender thread of its own;
 *         <li>{@code AcknowledgedWriter}: the one write with backoff that failures, deferrals and events go through;
 *         <li>{@code Abandonment}: whether the runner gave up, and the backoff pause that giving up ends;
 *       </ul>
 *   <li>{@link io.jobstream.processor.internal.FailureClassification}: the one list of never-retried exceptions;
 *   <li>{@link io.jobstream.processor.internal.Guards}: a job type's coordination rules taken before its handler runs
 *       (admit, defer, skip or reject), and given back after.
 * </ul>
 *
 * <p><b>Threading.</b> {@code ProcessorLoop}, {@code PartitionProgress} and {@code Lanes} belong to the poll thread and
 * are not thread-safe. {@code JobRunner} and its parts, {@code Guards}, {@code ProcessorMetrics} and {@code
 * PayloadReader} are thread-safe. Threads besides the poll thread: the job threads (virtual, {@code
 * jobstream-<queue>-job}), the timeout sweep ({@code jobstream-<queue>-timeouts}) and the event sender ({@code
 * jobstream-<queue>-events}); they (and the producer's callback thread, for acknowledged outcome events) talk to the
 * poll thread only through {@link io.jobstream.processor.internal.ProcessorLoop#complete} (a queue plus {@code
 * consumer.wakeup()}).
 *
 * <p><b>Failure contract.</b> Nothing thrown by a handler, a decoder or a bad record reaches the poll thread: each
 * becomes an {@code Outcome}. A failure record, deferral or outcome event is retried with backoff until acknowledged;
 * only closing gives up on it ({@code Abandoned}: never committed). Setups are validated once, by {@code
 * JobProcessor.Builder#build()} ({@code IllegalStateException}); the runner takes its {@code Setup} as given. A
 * non-retriable consumer fault ends the loop, which then closes as on {@code close}.
 */
package io.jobstream.processor.internal;
