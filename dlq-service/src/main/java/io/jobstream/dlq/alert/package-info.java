/**
 * Alerts: dead letters and consumer-lag status changes, turned into few messages and delivered to sinks.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.alert.AlertAggregator} turns dead letters into {@link io.jobstream.dlq.alert.Alert}s
 *       per {@link io.jobstream.dlq.alert.AlertKey} (first failure, aggregated counts per window, "recovered") and
 *       lag status changes (it is a {@link io.jobstream.dlq.lag.LagListener}) into {@link
 *       io.jobstream.dlq.alert.LagAlert}s (at most one per group per minimum interval), and hands these {@link
 *       io.jobstream.dlq.alert.Notification}s to {@link io.jobstream.dlq.alert.AlertSink}s ({@link
 *       io.jobstream.dlq.alert.SlackSink}, {@link io.jobstream.dlq.alert.WebhookSink}, {@link
 *       io.jobstream.dlq.alert.LogSink}) through bounded per-sink outboxes.
 *   <li>{@link io.jobstream.dlq.alert.AlertConfig} holds the {@code jobstream.dlq.alerts.*} settings; the {@link
 *       io.jobstream.dlq.DlqService} builds the aggregator and feeds it the dead letters of its queues.
 * </ul>
 *
 * <p>Threading: the aggregator may be fed from any thread; each sink is drained by its own virtual thread; time comes
 * from an injected {@link java.time.Clock}. Failure contract: a sink's failure is a value ({@link
 * io.jobstream.dlq.alert.AlertSink.Delivery}), retried or dropped with a metric, never thrown to the router or the
 * lag monitor; bad settings fail at construction naming the key.
 */
package io.jobstream.dlq.alert;
