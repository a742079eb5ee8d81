/**
 * The wire contract of Jobstream: what travels on a queue's topics and how it is named.
 *
 * <ul>
 *   <li>Records, generated from the Avro schemas in {@code src/main/avro}: {@link io.jobstream.schemas.Job} on
 *       {@code <queue>} and the delay tiers, {@link io.jobstream.schemas.JobFailure} on {@code <queue>.failed},
 *       {@link io.jobstream.schemas.DeadLetter} on {@code <queue>.dlq}, {@link io.jobstream.schemas.JobEvent} on
 *       {@code <queue>.events}, with the enums {@link io.jobstream.schemas.FailureReason} and {@link
 *       io.jobstream.schemas.JobState}.
 *   <li>Encoding: {@link io.jobstream.schemas.JobSerde} (Kafka serde per record type), {@link
 *       io.jobstream.schemas.JobDecoder} (the processor's job decoder, which also knows partition and offset),
 *       configured by {@link io.jobstream.schemas.SerdeConfig}; {@link io.jobstream.schemas.SchemaRegistryClient}
 *       for the Confluent wire format.
 *   <li>Names: {@link io.jobstream.schemas.Topics}, {@link io.jobstream.schemas.JobHeaders}; ids: {@link
 *       io.jobstream.schemas.Ulid}.
 *   <li>Faults: {@link io.jobstream.schemas.JobstreamException}, the root of every Jobstream exception, with the
 *       {@link io.jobstream.schemas.RetriableJobstreamException} branch.
 * </ul>
 *
 * <p>Threading: serdes, decoders, the registry client and the generators are thread-safe; generated records are
 * mutable and not. Failure contract: decoding throws only {@link io.jobstream.schemas.JobDecodeException} with a
 * stable reason (retriable only for {@code REGISTRY_UNAVAILABLE}); configuration records reject bad settings at
 * construction with {@link java.lang.IllegalArgumentException} naming the key.
 */
package io.jobstream.schemas;
