/**
 * Mechanics of the HTTP ingest API, not for other modules: the route handlers ({@link
 * io.jobstream.api.internal.QueueRoutes}, {@link io.jobstream.api.internal.WebhookRoutes}) on the runtime's HTTP
 * seam, admission while closing ({@link io.jobstream.api.internal.Admission}), JSON to jobs and the API's JSON mapper
 * ({@link io.jobstream.api.internal.JobRequests}), which queues may be published to ({@link
 * io.jobstream.api.internal.PublishableQueues}), waiting for Kafka's acknowledgement ({@link
 * io.jobstream.api.internal.Publishing}), webhook signatures ({@link io.jobstream.api.internal.Signatures}), the
 * request timer ({@link io.jobstream.api.internal.ApiMetrics}) and the API's memories: idempotency keys and per-token
 * rate limits per process ({@link io.jobstream.api.internal.IdempotencyCache}, {@link
 * io.jobstream.api.internal.RateLimits}), webhook deliveries in the coordination store ({@link
 * io.jobstream.api.internal.WebhookDeliveries}).
 *
 * <p>Threading: everything here is thread-safe. Route handlers run on the server's virtual threads and end every
 * request with a response: an expected refusal is an {@link io.jobstream.api.internal.ApiProblem} turned into a JSON
 * error, never a 2xx for a job Kafka did not acknowledge; only an I/O fault escapes to the server (a 500).
 */
package io.jobstream.api.internal;
