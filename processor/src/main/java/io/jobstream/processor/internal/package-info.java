/**
 * The processor's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.processor.internal.ProcessorLoop}: the poll thread, the only user of the consumer;
 *   <li>{@link io.jobstream.processor.internal.PartitionProgress}: per partition, which offsets finished and what may
 *       be committed;
 *   <li>{@link io.jobstream.processor.internal.Lanes}: which fetched jobs may start under the ordering mode;
 *   <li>{@link io.jobstream.processor.internal.JobRunner}: one job on a virtual thread, to its {@link
 *       io.jobstream.processor.internal.Outcome}, failures written to {@code <queue>.failed};
 *   <li>{@link io.jobstream.processor.internal.FailureClassification}: the one list of never-retried exceptions;
 *   <li>{@link io.jobstream.processor.internal.Guards}: a job type's coordination rules taken before its handler runs
 *       (admit, defer, skip or reject), and given back after.
 * </ul>
 *
 * <p><b>Threading.</b> {@code ProcessorLoop}, {@code PartitionProgress} and {@code Lanes} belong to the poll thread and
 * are not thread-safe. {@code JobRunner}, {@code Guards}, {@code ProcessorMetrics} and {@code PayloadReader} are
 * thread-safe; handler threads (and the producer's callback thread, for acknowledged outcome events) talk to the poll
 * thread only through {@link io.jobstream.processor.internal.ProcessorLoop#complete} (a queue plus {@code
 * consumer.wakeup()}).
 *
 * <p><b>Failure contract.</b> Nothing thrown by a handler, a decoder or a bad record reaches the poll thread: each
 * becomes an {@code Outcome}. A failure record is retried with backoff until acknowledged; only closing gives up on it
 * ({@code Abandoned}: never committed). A non-retriable consumer fault ends the loop, which then closes as on {@code
 * close}.
 */
package io.jobstream.processor.internal;
