/**
 * Mechanics of the job-status projection, not for other modules: the Kafka Streams topology ({@link
 * io.jobstream.api.internal.status.StatusTopology}) that re-keys queue records and odd-sized {@code .events}
 * topics by job id ({@link io.jobstream.api.internal.status.EnqueueExtractor}, {@link
 * io.jobstream.api.internal.status.EventRekey}) and folds every event into the status store ({@link
 * io.jobstream.api.internal.status.StatusFold}, the fold itself in {@link
 * io.jobstream.api.internal.status.StoredStatus}, stored in a small binary layout by {@link
 * io.jobstream.api.internal.status.StatusSerde}); its meters ({@link
 * io.jobstream.api.internal.status.StatusMetrics}); and the HTTP routes that answer from the store or forward to
 * the replica owning the job ({@link io.jobstream.api.internal.status.StatusRoutes}).
 *
 * <p>Threading: processors run on Kafka Streams threads, one instance per task, and touch only their task's stores;
 * the routes run on the HTTP server's virtual threads and are thread-safe. Failure contract: an undecodable,
 * misrouted or unfoldable event is counted in {@code jobstream.status.events} and skipped, logged with its trace the
 * first time and counted after; a retriable decode error (schema registry down) is thrown so Streams retries the task
 * from its last commit. The routes end every request with a response; only an I/O fault escapes to the server.
 */
package io.jobstream.api.internal.status;
