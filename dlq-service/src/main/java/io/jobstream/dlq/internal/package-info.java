/**
 * Mechanics shared by two slices of the dlq-service; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.internal.FailureHistory} carries a job's failures from attempt to attempt inside the
 *       job's headers map: the failure router ({@link io.jobstream.dlq.retry}) appends to it, a replay ({@link
 *       io.jobstream.dlq.replay}) removes it.
 * </ul>
 *
 * <p>Threading: pure functions of their arguments, safe from any thread. Failure contract: a history that cannot be
 * decoded is treated as empty, never thrown.
 */
package io.jobstream.dlq.internal;
