/**
 * The dlq-service's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.internal.RouterTopology} builds the failure router's topology; its processor decodes
 *       each {@code <queue>.failed} record itself, so an undecodable record becomes a {@code DECODE_ERROR} dead
 *       letter holding its bytes instead of stopping the stream; it keeps every routed attempt in a persistent,
 *       changelogged window store, so a second failure of one attempt (a re-run after a worker crash) is dropped,
 *       exactly-once with the routing.
 *   <li>{@link io.jobstream.dlq.internal.FailureHistory} carries a job's failures from attempt to attempt inside
 *       the job's headers map.
 *   <li>{@link io.jobstream.dlq.internal.Release} decides what happens to the head of a delay-tier partition;
 *       {@link io.jobstream.dlq.internal.DelayForwarder} acts on it with pause/seek/resume and transactions.
 *   <li>{@link io.jobstream.dlq.internal.RouterMetrics} holds the router's meters.
 * </ul>
 *
 * <p>Threading: a router processor runs on its Kafka Streams thread; a forwarder's consumer and producer are owned
 * by its one poll thread ({@code jobstream-delay-forwarder-<queue>}); {@code close(Duration)} may be called from
 * any thread. Failure contract: a retriable decode fault (schema registry down) is thrown to Streams, which
 * replaces the thread and reprocesses from the last commit; a failed forward transaction is aborted and retried
 * after a backoff; a fenced or unauthorized forwarder producer stops the forwarder.
 */
package io.jobstream.dlq.internal;
