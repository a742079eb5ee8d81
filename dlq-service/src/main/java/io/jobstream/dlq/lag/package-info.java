/**
 * Lag: how far behind consumer groups are, in records and in seconds, and whether they are keeping up.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.lag.LagMonitor} samples the consumer groups of interest (configured by {@link
 *       io.jobstream.dlq.lag.LagMonitorConfig}) into {@link io.jobstream.dlq.lag.LagSnapshot}s: per {@link
 *       io.jobstream.dlq.lag.GroupLag} and {@link io.jobstream.dlq.lag.PartitionLag}, the offset lag (read with the
 *       runtime's {@link io.jobstream.runtime.LagSampler}, the one lag computation the publisher and the bench use
 *       too), the time lag (from the oldest waiting record, or estimated: {@link io.jobstream.dlq.lag.TimeLagSource})
 *       and a Burrow-style {@link io.jobstream.dlq.lag.LagStatus} judged over a sliding window; it keeps the lag
 *       gauges.
 *   <li>{@link io.jobstream.dlq.lag.LagListener}s hear of group status changes; the alerts' aggregator is one ({@link
 *       io.jobstream.dlq.DlqService#lagAlerts()}).
 * </ul>
 *
 * <p>Threading: the monitor samples on one scheduled thread ({@code jobstream-lag-monitor}), or on the caller's with
 * {@code sampleNow()}, one sample at a time; snapshots are immutable. Failure contract: an Admin request that fails
 * or times out makes the affected groups {@link io.jobstream.dlq.lag.LagStatus#ERR} in that sample and the monitor
 * keeps sampling; a listener's exception is logged and ignored; bad settings fail at construction naming the key.
 */
package io.jobstream.dlq.lag;
