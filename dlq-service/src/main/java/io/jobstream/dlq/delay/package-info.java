/**
 * Delay forwarding: retries (and jobs published with a delay) wait in {@code <queue>.delay.<tier>} topics and come
 * back to {@code <queue>} when due.
 *
 * <p>The slice has no public types: the {@link io.jobstream.dlq.DlqService} runs one forwarder per queue ({@link
 * io.jobstream.dlq.delay.internal}), configured by {@link io.jobstream.dlq.DlqServiceConfig} (the tiers, the retry
 * backoff). A record moves down the tiers to the one that fits what remains of its wait, and to the queue once due,
 * key, value and headers unchanged, each move in one Kafka transaction with the forwarder's offsets.
 *
 * <p>Threading: each forwarder owns its consumer and producer on one thread ({@code
 * jobstream-delay-forwarder-<queue>}). Failure contract: a failed transaction is aborted and retried after a backoff;
 * a record its target refuses for good becomes a {@code REJECTED} failure; a fenced or unauthorized producer stops
 * the forwarder and the service reports it down.
 */
package io.jobstream.dlq.delay;
