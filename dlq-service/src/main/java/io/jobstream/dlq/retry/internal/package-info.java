/**
 * The failure router's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.retry.internal.RouterTopology} builds the router's Kafka Streams topology (exactly-once
 *       v2); its {@link io.jobstream.dlq.retry.internal.RouterProcessor} decodes each {@code <queue>.failed} record
 *       itself, so an undecodable record becomes a {@code DECODE_ERROR} dead letter holding its bytes instead of
 *       stopping the stream, and keeps every routed attempt in a persistent, changelogged window store, so a second
 *       failure of one attempt (a re-run after a worker crash) is dropped, exactly-once with the routing.
 *   <li>{@link io.jobstream.dlq.retry.internal.TopicLimits}: the {@code max.message.bytes} of the tiers and of {@code
 *       <queue>.dlq}, read at start, so a record they would refuse is dead-lettered or trimmed instead of aborting the
 *       transaction forever.
 *   <li>{@link io.jobstream.dlq.retry.internal.RouterMetrics} holds the router's meters.
 * </ul>
 *
 * <p>Threading: a router processor runs on its Kafka Streams thread. Failure contract: a retriable decode fault
 * (schema registry down) is thrown to Streams, which replaces the thread and reprocesses from the last commit; every
 * other bad record is routed as a dead letter; limits that cannot be read at start are logged and records are
 * written unchecked.
 */
package io.jobstream.dlq.retry.internal;
