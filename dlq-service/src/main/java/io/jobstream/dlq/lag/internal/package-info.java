/**
 * The lag monitor's mechanics; not for other modules.
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.lag.internal.LagWindow}: a partition's sliding window of samples, judged by {@link
 *       io.jobstream.dlq.lag.internal.StatusEvaluator} (a pure function: OK, WARN, STALL, STOP, REWIND).
 *   <li>{@link io.jobstream.dlq.lag.internal.OldestWaitingRecords}: reads the timestamp of the record at a lagging
 *       partition's committed offset (the oldest waiting job's age).
 *   <li>{@link io.jobstream.dlq.lag.internal.TimeLagEstimator}: the fallback, interpolating when the committed offset
 *       was the log end from the log ends seen over time.
 *   <li>{@link io.jobstream.dlq.lag.internal.LagMeters}: the lag gauges, registered and removed as groups and
 *       partitions come and go.
 * </ul>
 *
 * <p>Threading: not thread-safe; owned by the monitor's sampling (under its lock), except that the gauges' values may
 * be read by the meter registry from any thread. Failure contract: a record that
 * cannot be read in time is left out and the estimate is used; nothing here throws on a Kafka error.
 */
package io.jobstream.dlq.lag.internal;
