/**
 * The dlq-service: what happens to a job after a failed attempt. This package is the composition root; each
 * capability is a slice of its own, its contract in its package and its mechanics in that package's {@code internal}:
 *
 * <ul>
 *   <li>{@link io.jobstream.dlq.retry}: retry routing — the per-type {@link io.jobstream.dlq.retry.RetryPolicy} and
 *       the failure router that applies it ({@code <queue>.failed} → a delay tier | {@code <queue>.dlq}).
 *   <li>{@link io.jobstream.dlq.delay}: delay forwarding — {@code <queue>.delay.<tier>} → lower tier | {@code
 *       <queue>} when due.
 *   <li>{@link io.jobstream.dlq.replay}: listing, showing and replaying dead letters, as a library ({@link
 *       io.jobstream.dlq.replay.DlqReplay}) and as admin routes ({@link io.jobstream.dlq.replay.DlqAdminRoutes}).
 *   <li>{@link io.jobstream.dlq.alert}: alerts for dead letters and lag status changes, delivered to sinks.
 *   <li>{@link io.jobstream.dlq.lag}: the consumer-lag monitor (offsets, seconds, status, gauges), on the runtime's
 *       {@link io.jobstream.runtime.LagSampler}.
 *   <li>{@link io.jobstream.dlq.internal}: mechanics two slices share (a job's failure history).
 * </ul>
 *
 * <p>{@link io.jobstream.dlq.DlqService} runs, per queue, the failure router (Kafka Streams, exactly-once v2, events
 * to {@code <queue>.events}) and the delay forwarder, and, when configured, the dead-letter alerts and the lag
 * alerts ({@link io.jobstream.dlq.DlqService#lagAlerts()}); {@link io.jobstream.dlq.DlqServiceConfig} holds every
 * {@code jobstream.dlq.*} key ({@link io.jobstream.dlq.DlqServiceConfig#DEFINITION}) and the validated settings.
 *
 * <p>Threading: configs are immutable and thread-safe; {@link io.jobstream.dlq.DlqService}'s methods may be called
 * from any thread. Failure contract: bad settings fail at construction with {@link
 * java.lang.IllegalArgumentException} (or {@link io.jobstream.runtime.ConfigException} from {@code from(Config)})
 * naming the key; a fault in a running router thread replaces the thread (it resumes from its last commit), a fenced
 * forwarder stops and {@link io.jobstream.dlq.DlqService#isRunning()} turns false.
 */
package io.jobstream.dlq;
