/**
 * Putting jobs on queues: the {@link io.jobstream.producer.JobPublisher} library and queue-topic administration. The
 * HTTP ingest API is the {@code api} module ({@code io.jobstream.api}), the cron scheduler the {@code scheduler}
 * module ({@code io.jobstream.scheduler}); both publish through this one.
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
 * </ul>
 *
 * <p>Threading: {@code JobPublisher} and {@code QueueTopics} are thread-safe; job builders are not. Futures complete
 * on the Kafka producer's I/O thread. Failure contract: a job refused before sending fails with {@link
 * io.jobstream.producer.JobRejectedException} (a stable {@link io.jobstream.producer.JobRejectedException.Reason},
 * never retriable); a job Kafka did not acknowledge fails with {@link io.jobstream.producer.PublishFailedException}
 * naming the bootstrap servers (retriable when Kafka's cause is); configuration errors are {@link
 * io.jobstream.runtime.ConfigException}s naming the key. No job is reported published unless acknowledged.
 */
package io.jobstream.producer;
