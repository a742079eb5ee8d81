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
