/**
 * Encoding mechanics behind {@link io.jobstream.schemas.JobSerde} and {@link io.jobstream.schemas.JobDecoder}: the
 * per-record Avro codec (single-object and Confluent framing, per-thread scratch buffers, reader caches), the
 * bounded binary decoder that checks every length against the remaining bytes, the shipped schema history, and the
 * JSON envelope reader. Not an API: other modules must not import it (checked by the build).
 *
 * <p>Threading: {@code AvroCodec}, {@code SchemaHistory} and {@code JsonEnvelope} are thread-safe; {@code
 * BoundedBinaryDecoder} is single-threaded and reused per thread. Failure contract: decode paths throw only {@link
 * io.jobstream.schemas.JobDecodeException}; encode paths throw {@link io.jobstream.schemas.JobEncodeException} or the
 * registry client's exceptions.
 */
package io.jobstream.schemas.internal;
