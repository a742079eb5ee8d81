package io.jobstream.schemas;

import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.schemas.internal.AvroCodec;
import io.jobstream.schemas.internal.JsonEnvelope;
import io.jobstream.schemas.internal.SchemaHistory;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Decodes a queue record's value into a {@link Job}, detecting the format from the first bytes: {@code C3 01} Avro
 * single-object encoding, {@code 00} Confluent wire format, {@code {} or whitespace the JSON envelope.
 *
 * <p>This is the processor's decoder: unlike a Kafka {@code Deserializer} it knows the record's partition and
 * offset, so a JSON envelope without an id gets a deterministic one, {@link Ulid#fromName(String)} of {@code
 * <topic>/<partition>/<offset>}: decoding the same record again gives the same id. A JSON envelope's {@code
 * createdAt} is the record's timestamp ({@link #decode(ConsumerRecord)}) or the clock's now; its {@code
 * traceParent}, when absent, is taken from the {@code traceparent} record header.
 *
 * <p>Thread-safe. Every failure is a {@link JobDecodeException}; {@link Reason#REGISTRY_UNAVAILABLE} is retriable,
 * every other reason means the bytes will never decode.
 */
public final class JobDecoder implements AutoCloseable {
    private final AvroCodec<Job> codec;
    private final SchemaRegistryClient ownedRegistry;
    private final Clock clock;

    JobDecoder(AvroCodec<Job> codec, SchemaRegistryClient ownedRegistry, Clock clock) {
        this.codec = codec;
        this.ownedRegistry = ownedRegistry;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A decoder for {@code config}; it creates (and closes) its own registry client when a registry is configured. */
    public static JobDecoder create(SerdeConfig config) {
        return create(config, null, Clock.systemUTC());
    }

    /**
     * A decoder for {@code config} that shares {@code registry} (not closed by this decoder) or, when null, creates
     * its own client if {@code config} names a registry.
     */
    public static JobDecoder create(SerdeConfig config, SchemaRegistryClient registry, Clock clock) {
        Objects.requireNonNull(config, "config");
        SchemaRegistryClient owned =
                registry == null && config.registry() != null ? new SchemaRegistryClient(config.registry()) : null;
        SchemaRegistryClient used = registry != null ? registry : owned;
        return new JobDecoder(new AvroCodec<>(Job.class, SchemaHistory.shipped(), used), owned, clock);
    }

    /** Decodes the value of a record at {@code topic}/{@code partition}/{@code offset}. */
    public Job decode(String topic, int partition, long offset, Headers headers, byte[] value) {
        return decode(value, () -> derivedId(topic, partition, offset), clock.instant(), headers);
    }

    /** Decodes {@code record}'s value; a JSON envelope's creation time is the record's timestamp. */
    public Job decode(ConsumerRecord<?, byte[]> record) {
        Instant createdAt = record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : clock.instant();
        return decode(
                record.value(),
                () -> derivedId(record.topic(), record.partition(), record.offset()),
                createdAt,
                record.headers());
    }

    /** The id a JSON envelope without one gets at {@code topic}/{@code partition}/{@code offset}. */
    public static String derivedId(String topic, int partition, long offset) {
        return Ulid.fromName(topic + "/" + partition + "/" + offset);
    }

    Job decode(byte[] value, Supplier<String> idIfAbsent, Instant createdAt, Headers headers) {
        if (value == null || value.length == 0) {
            throw new JobDecodeException(Reason.EMPTY, "no bytes to decode a Job from");
        }
        if (JsonEnvelope.startsJson(value[0])) {
            String traceParent =
                    JobHeaders.text(headers, JobHeaders.TRACEPARENT).orElse(null);
            return JsonEnvelope.decode(value, idIfAbsent, createdAt, traceParent);
        }
        return codec.decode(value);
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }
}
