/**
 * Retry routing: whether a failed attempt is tried again, and when.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.retry.RetryPolicy} (one per job type, in {@link io.jobstream.dlq.retry.RetryPolicies}
 *       with a default) decides for a failure: {@link io.jobstream.dlq.retry.RetryDecision.Retry} (the next attempt
 *       and its due time, from the {@link io.jobstream.dlq.retry.Backoff}) or {@link
 *       io.jobstream.dlq.retry.RetryDecision.GiveUp} with its {@link io.jobstream.dlq.retry.RetryDecision.Cause}.
 *   <li>The failure router ({@link io.jobstream.dlq.retry.internal}) applies it to every record of {@code
 *       <queue>.failed}: a retry to the delay tier that fits its wait, a dead letter to {@code <queue>.dlq}, and the
 *       decision as an event to {@code <queue>.events}; the {@link io.jobstream.dlq.DlqService} runs one per queue.
 * </ul>
 *
 * <p>Threading: policies are immutable and thread-safe, and pure: time and randomness are passed in. Failure
 * contract: a bad setting fails at construction with {@link java.lang.IllegalArgumentException} naming it; a decision
 * is a value ({@link io.jobstream.dlq.retry.RetryDecision}), never an exception.
 */
package io.jobstream.dlq.retry;
