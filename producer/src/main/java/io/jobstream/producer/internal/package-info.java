/**
 * Mechanics of the producer module, not for other modules: payload encoding ({@link
 * io.jobstream.producer.internal.Payloads}), the checks a job passes before sending ({@link
 * io.jobstream.producer.internal.JobChecks}), the cached topic directory ({@link
 * io.jobstream.producer.internal.AdminTopicDirectory}), the least-loaded partition choice and its lag refresher
 * ({@link io.jobstream.producer.internal.LeastLoaded}, {@link io.jobstream.producer.internal.LagRefresher}) and the
 * publish counter ({@link io.jobstream.producer.internal.PublishMetrics}).
 *
 * <p>Threading: everything here is thread-safe; the lag refresher owns one daemon thread, {@code
 * jobstream-publisher-lag}, ended by {@code close()}. Failure contract: job checks throw {@link
 * io.jobstream.producer.JobRejectedException}; the topic directory throws {@link java.util.concurrent.TimeoutException}
 * when the brokers do not answer in time; a failed lag refresh keeps the previous snapshot and is logged, never thrown.
 */
package io.jobstream.producer.internal;
