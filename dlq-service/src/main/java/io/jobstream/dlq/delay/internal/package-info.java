/**
 * The delay forwarder's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.delay.internal.Release} decides, purely, what happens to the head record of a
 *       delay-tier partition: hold it until a time, or forward it to a lower tier or the queue.
 *   <li>{@link io.jobstream.dlq.delay.internal.DelayForwarder} acts on it with pause/seek/resume and transactions.
 * </ul>
 *
 * <p>Threading: a forwarder's consumer and producer are owned by its one poll thread ({@code
 * jobstream-delay-forwarder-<queue>}); {@code close(Duration)} may be called from any thread. Failure contract: a
 * failed forward transaction is aborted and retried after a backoff; a fenced or unauthorized forwarder producer
 * stops the forwarder ({@code failure()}).
 */
package io.jobstream.dlq.delay.internal;
