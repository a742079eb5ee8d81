/**
 * Mechanics of alerts; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.alert.internal.SinkOutbox}: one sink's bounded queue of unsent alerts, its rate limit
 *       ({@link io.jobstream.dlq.alert.internal.TokenBucket}), {@code Retry-After} and retry backoff.
 *   <li>{@link io.jobstream.dlq.alert.internal.HttpDelivery}: one JSON POST and how its answer is classified.
 *   <li>{@link io.jobstream.dlq.alert.internal.DeadLetterFeed}: reads the committed dead letters of every served
 *       queue's {@code <queue>.dlq} and feeds them to the {@link io.jobstream.dlq.alert.AlertAggregator}.
 * </ul>
 *
 * <p>Threading: an outbox is filled from any thread and drained by one thread; the feed owns its consumer on its own
 * thread. Failure contract: sink errors are values ({@link io.jobstream.dlq.alert.AlertSink.Delivery}), retried or
 * dropped with a metric, never thrown; the feed logs and retries after a consumer error.
 */
package io.jobstream.dlq.alert.internal;
