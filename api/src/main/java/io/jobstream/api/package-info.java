/**
 * The HTTP ingest API, signed webhooks and job status by id, publishing through the producer module's {@link
 * io.jobstream.producer.JobPublisher}.
 *
 * <ul>
 *   <li>{@link io.jobstream.api.IngestApi} serves {@code POST /v1/queues/{queue}/jobs}, {@code .../jobs:batch}
 *       and signed webhooks {@code POST /webhooks/{name}} (GitHub, Stripe, generic HMAC-SHA256), configured by
 *       {@link io.jobstream.api.IngestApiConfig} ({@code jobstream.api.*}); it answers {@code 202} only after
 *       Kafka acknowledged the job, {@code 503} when it did not in time.
 *   <li>{@link io.jobstream.api.JobStatusProjection} folds every job's events into a Kafka Streams store by job id
 *       and serves {@code GET /v1/jobs/{id}} and {@code .../events} on the API's server, configured by {@link
 *       io.jobstream.api.JobStatusConfig} ({@code jobstream.status.*}); it answers with a {@link
 *       io.jobstream.api.JobStatus}, and {@link io.jobstream.api.JobStatusLookup} says what one replica can
 *       answer (found, not found, owned by another replica, not queryable now).
 * </ul>
 *
 * <p>HTTP server: the JDK's {@code com.sun.net.httpserver} on virtual threads, by mounting the API's routes on the
 * runtime's {@link io.jobstream.runtime.AdminServer}, not Javalin or Helidon SE: no new dependency, one port for the
 * API, {@code /health}, {@code /ready} and {@code /metrics}, and virtual threads make one blocking thread per request
 * (waiting for Kafka's acknowledgement) cheap; three routes need no framework. Costs: HTTP/1.1 only and no TLS here
 * (terminate it in a proxy). The routes are endpoints of the runtime's one HTTP seam ({@code
 * io.jobstream.runtime.http}), which owns the wire, the tokens and their scopes, the limits and the problem body.
 *
 * <p>Threading: the API's requests run on the server's virtual threads; {@code IngestApi} is thread-safe, and its
 * idempotency keys, rate limits and replayed webhook signatures are remembered per process (webhook deliveries in the
 * coordination store when one is configured). {@code JobStatusProjection} is thread-safe and runs on Kafka Streams
 * threads. Failure contract: no job is answered with a 2xx unless Kafka acknowledged it; a refused request is a JSON
 * problem with a stable code; configuration errors are {@link io.jobstream.runtime.ConfigException}s naming the key.
 * Bad or late status events are counted and skipped, never fatal; lookups answer {@code Unavailable} (HTTP 503) while
 * the store is not queryable.
 */
package io.jobstream.api;
