/**
 * Replay: list, show and replay the dead letters of {@code <queue>.dlq}.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.replay.DlqReplay} is the library behind {@code jobstream dlq list|show|replay}: it
 *       reads dead letters as {@link io.jobstream.dlq.replay.DeadLetterEntry}s matching a {@link
 *       io.jobstream.dlq.replay.ReplayFilter}, and replays those of a {@link io.jobstream.dlq.replay.ReplayRequest}
 *       once each (recorded in {@code <queue>.dlq.replayed} in the same transaction), reporting each {@link
 *       io.jobstream.dlq.replay.ReplayItem} to a {@link io.jobstream.dlq.replay.ReplayProgress} and the whole as a
 *       {@link io.jobstream.dlq.replay.ReplaySummary}.
 *   <li>{@link io.jobstream.dlq.replay.DlqAdminRoutes} serves the same over HTTP ({@code /v1/queues/{q}/dlq}) as
 *       endpoints of the runtime's HTTP seam.
 * </ul>
 *
 * <p>Threading: a {@code DlqReplay} serves one call at a time and blocks; filters, requests and results are
 * immutable; the routes may serve requests concurrently (each uses its own {@code DlqReplay}). Failure contract:
 * expected outcomes (skipped, already replayed, trimmed) are values in the summary; a missing topic is an {@link
 * java.lang.IllegalArgumentException} before anything is written; a Kafka error aborts the open transaction and is
 * thrown (running the replay again resumes it); the routes answer bad input with 400 and the one problem body.
 */
package io.jobstream.dlq.replay;
