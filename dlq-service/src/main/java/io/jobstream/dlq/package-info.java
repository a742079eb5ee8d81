/**
 * The dlq-service: what happens to a job after a failed attempt.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.RetryPolicy} / {@link io.jobstream.dlq.RetryPolicies} decide, per job type, whether
 *       a failure is retried ({@link io.jobstream.dlq.RetryDecision.Retry}, with the next attempt and its due time
 *       from the {@link io.jobstream.dlq.Backoff}) or dead-lettered ({@link io.jobstream.dlq.RetryDecision.GiveUp}
 *       and its {@link io.jobstream.dlq.RetryDecision.Cause}). Pure: time and randomness are passed in.
 *   <li>{@link io.jobstream.dlq.DlqService} runs, per queue, the failure router (Kafka Streams, exactly-once v2,
 *       {@code <queue>.failed} → {@code <queue>.delay.<tier>} | {@code <queue>.dlq}, events to {@code
 *       <queue>.events}) and the delay forwarder ({@code <queue>.delay.<tier>} → lower tier | {@code <queue>}).
 *   <li>{@link io.jobstream.dlq.DlqServiceConfig} holds every {@code jobstream.dlq.*} key ({@link
 *       io.jobstream.dlq.DlqServiceConfig#DEFINITION}) and the validated settings.
 *   <li>Alerts: {@link io.jobstream.dlq.AlertAggregator} turns dead letters into few messages (first failure,
 *       aggregated counts per window, "recovered") and consumer-lag status changes into {@link
 *       io.jobstream.dlq.LagAlert}s (at most one per group per minimum interval), and delivers these {@link
 *       io.jobstream.dlq.Notification}s to {@link io.jobstream.dlq.AlertSink}s ({@link io.jobstream.dlq.SlackSink},
 *       {@link io.jobstream.dlq.WebhookSink}, {@link io.jobstream.dlq.LogSink}) through bounded per-sink outboxes,
 *       configured by {@link io.jobstream.dlq.AlertConfig}.
 *   <li>Replay: {@link io.jobstream.dlq.DlqReplay} lists, shows and replays dead letters ({@link
 *       io.jobstream.dlq.ReplayFilter}, {@link io.jobstream.dlq.ReplayRequest}, {@link
 *       io.jobstream.dlq.ReplaySummary}), once each, recorded in {@code <queue>.dlq.replayed} in the same
 *       transaction; {@link io.jobstream.dlq.DlqAdminRoutes} serves the same over HTTP.
 *   <li>Lag: {@link io.jobstream.dlq.LagMonitor} samples consumer groups' committed and end offsets into {@link
 *       io.jobstream.dlq.LagSnapshot}s with lag in offsets and seconds and a Burrow-style {@link
 *       io.jobstream.dlq.LagStatus}, configured by {@link io.jobstream.dlq.LagMonitorConfig}; {@link
 *       io.jobstream.dlq.LagListener}s hear of status changes ({@link io.jobstream.dlq.DlqService#lagAlerts()} is
 *       the one that alerts).
 * </ul>
 *
 * <p>Threading: policies and configs are immutable and thread-safe; {@link io.jobstream.dlq.DlqService}'s methods
 * may be called from any thread. Failure contract: bad settings fail at construction with {@link
 * java.lang.IllegalArgumentException} (or {@link io.jobstream.runtime.ConfigException} from {@code from(Config)})
 * naming the key; expected outcomes are values ({@link io.jobstream.dlq.RetryDecision}); a fault in a running
 * router thread replaces the thread (it resumes from its last commit), a fenced forwarder stops and {@link
 * io.jobstream.dlq.DlqService#isRunning()} turns false.
 */
package io.jobstream.dlq;
