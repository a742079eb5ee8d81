/**
 * Putting jobs on queues: the {@link io.jobstream.producer.JobPublisher} library, queue-topic administration and the
 * HTTP ingest API.
 *
 * <ul>
 *   <li>{@link io.jobstream.producer.Jobs} builds a {@link io.jobstream.schemas.Job} (payload as JSON, bytes or an
 *       Avro record; ordering key, delay or not-before, expiry, max attempts, headers; a ULID id unless given).
 *   <li>{@link io.jobstream.producer.JobPublisher} validates and sends jobs, configured by {@link
 *       io.jobstream.producer.PublisherConfig} ({@code jobstream.publisher.*}) and runtime's {@link
 *       io.jobstream.runtime.KafkaSettings}; it answers with a {@link io.jobstream.producer.JobReceipt}, or a
 *       {@link io.jobstream.producer.PublishOutcome} per job of a batch. {@link
 *       io.jobstream.producer.PartitionStrategy} says how jobs spread over partitions.
 *   <li>{@link io.jobstream.producer.QueueTopics} creates a queue's topics with their configs.
 *   <li>{@link io.jobstream.producer.IngestApi} serves {@code POST /v1/queues/{queue}/jobs}, {@code .../jobs:batch}
 *       and signed webhooks {@code POST /webhooks/{name}} (GitHub, Stripe, generic HMAC-SHA256), configured by
 *       {@link io.jobstream.producer.IngestApiConfig} ({@code jobstream.api.*}); it answers {@code 202} only after
 *       Kafka acknowledged the job, {@code 503} when it did not in time.
 *   <li>{@link io.jobstream.producer.JobStatusProjection} folds every job's events into a Kafka Streams store by job id
 *       and serves {@code GET /v1/jobs/{id}} and {@code .../events} on the API's server, configured by {@link
 *       io.jobstream.producer.JobStatusConfig} ({@code jobstream.status.*}); it answers with a {@link
 *       io.jobstream.producer.JobStatus}, and {@link io.jobstream.producer.JobStatusLookup} says what one replica can
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
 * <p>Threading: {@code JobPublisher} and {@code QueueTopics} are thread-safe; job builders are not. Futures complete
 * on the Kafka producer's I/O thread. Failure contract: a job refused before sending fails with {@link
 * io.jobstream.producer.JobRejectedException} (a stable {@link io.jobstream.producer.JobRejectedException.Reason},
 * never retriable); a job Kafka did not acknowledge fails with {@link io.jobstream.producer.PublishFailedException}
 * naming the bootstrap servers (retriable when Kafka's cause is); configuration errors are {@link
 * io.jobstream.runtime.ConfigException}s naming the key. No job is reported published (or answered with a 2xx by
 * the API) unless acknowledged. The API's requests run on the server's virtual threads; {@code IngestApi} is
 * thread-safe, and its idempotency keys, rate limits and replayed webhook signatures are remembered per process.
 * {@code JobStatusProjection} is thread-safe and runs on Kafka Streams threads; bad or late events are counted and
 * skipped, never fatal; lookups answer {@code Unavailable} (HTTP 503) while the store is not queryable.
 */
package io.jobstream.producer;
