/**
 * Mechanics of the producer module, not for other modules: payload encoding ({@link
 * io.jobstream.producer.internal.Payloads}), the checks a job passes before sending ({@link
 * io.jobstream.producer.internal.JobChecks}), the cached topic directory ({@link
 * io.jobstream.producer.internal.AdminTopicDirectory}), the least-loaded partition choice and its lag refresher
 * ({@link io.jobstream.producer.internal.LeastLoaded}, {@link io.jobstream.producer.internal.LagRefresher}) and the
 * publish counter ({@link io.jobstream.producer.internal.PublishMetrics}); and the HTTP ingest API's mechanics: the
 * route handlers ({@link io.jobstream.producer.internal.QueueRoutes}, {@link
 * io.jobstream.producer.internal.WebhookRoutes}) for the JDK's HTTP server, JSON to jobs ({@link
 * io.jobstream.producer.internal.JobRequests}), webhook signatures ({@link io.jobstream.producer.internal.Signatures})
 * and the API's memories: idempotency keys and per-token rate limits per process ({@link
 * io.jobstream.producer.internal.IdempotencyCache}, {@link io.jobstream.producer.internal.RateLimits}), webhook
 * deliveries in the coordination store ({@link io.jobstream.producer.internal.WebhookDeliveries}); and the cron scheduler's durable record of fired ticks ({@link
 * io.jobstream.producer.internal.TickLog}, kept in Kafka by {@link io.jobstream.producer.internal.KafkaTickLog}: each
 * tick's job and its schedule's marker in one transaction).
 *
 * <p>Threading: everything here is thread-safe; the lag refresher owns one daemon thread, {@code
 * jobstream-publisher-lag}, ended by {@code close()}. Failure contract: job checks throw {@link
 * io.jobstream.producer.JobRejectedException}; the topic directory throws {@link java.util.concurrent.TimeoutException}
 * when the brokers do not answer in time; a failed lag refresh keeps the previous snapshot and is logged, never thrown.
 * The tick log is used by the scheduler's one thread; a failed or fenced fire throws and closes its producer, and the
 * next {@code open()} (which fences every other writer) tells what was written.
 * Route handlers run on the server's virtual threads and end every request with a response: an expected refusal is an
 * {@link io.jobstream.producer.internal.ApiProblem} turned into a JSON error, never a 2xx for a job Kafka did not
 * acknowledge; only an I/O fault escapes to the server (a 500).
 */
package io.jobstream.producer.internal;
