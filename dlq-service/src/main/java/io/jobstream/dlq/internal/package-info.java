/**
 * Mechanics shared by two slices of the dlq-service, or of the service as a whole; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.internal.Backlog} keeps the gauges of what waits in the service's topics: dead
 *       letters per queue and type ({@link io.jobstream.dlq.internal.DeadLetterCount}, the {@code replay} slice's
 *       {@code <queue>.dlq.replayed} taken into account) and jobs per delay tier not yet forwarded ({@link
 *       io.jobstream.dlq.internal.TierCount}, the {@code delay} slice's committed offsets). Its own thread; a failed
 *       read is logged and retried, never stopping the service.
 *   <li>{@link io.jobstream.dlq.internal.FailureHistory} carries a job's failures from attempt to attempt inside the
 *       job's headers map: the failure router ({@link io.jobstream.dlq.retry}) appends to it, a replay ({@link
 *       io.jobstream.dlq.replay}) removes it.
 * </ul>
 *
 * <p>Threading: {@code FailureHistory} is pure functions of their arguments, safe from any thread; the counts are
 * owned by the backlog's thread. Failure contract: a history that cannot be
 * decoded is treated as empty, never thrown.
 */
package io.jobstream.dlq.internal;
