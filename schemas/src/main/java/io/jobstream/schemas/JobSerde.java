package io.jobstream.schemas;

import io.jobstream.schemas.SerdeConfig.WireFormat;
import io.jobstream.schemas.internal.AvroCodec;
import io.jobstream.schemas.internal.SchemaHistory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} for one of the wire records: {@link Job}, {@link JobFailure}, {@link DeadLetter}, {@link
 * JobEvent}.
 *
 * <p>Writes the {@link SerdeConfig#writeFormat() configured format}: Avro single-object encoding (default) or the
 * Confluent wire format, registering the schema under {@code <topic>-value} ({@code <topic>-key} when configured as
 * a key serde) once per subject. Reads whatever format the first bytes announce; for {@link Job} that includes the
 * JSON envelope, whose missing id the Kafka deserializer (which does not know the offset) derives from the topic and
 * a SHA-256 of the value bytes: two byte-identical envelopes on one topic get the same id. The processor uses
 * {@link JobDecoder}, which derives it from topic/partition/offset instead.
 *
 * <p>A null record serializes to null and a null value deserializes to null (Kafka's tombstone convention); an
 * empty value is {@link JobDecodeException.Reason#EMPTY}.
 *
 * <p>Thread-safe. Deserialization throws only {@link JobDecodeException}; serialization throws {@link
 * JobEncodeException}, or the registry's {@link SchemaRegistryUnavailableException} (retriable) / {@link
 * SchemaRegistryException} when the schema cannot be registered. {@link #serializer()} and {@link #deserializer()}
 * are views whose {@code close()} does nothing; {@link #close()} the serde to release a registry client it created.
 */
public final class JobSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private final AvroCodec<T> codec;
    private final WireFormat writeFormat;
    private final SchemaRegistryClient ownedRegistry;
    private final JobDecoder jobDecoder;
    private final Serializer<T> serializer = new SerializerView();
    private final Deserializer<T> deserializer = new DeserializerView();
    private volatile boolean isKey;
    private volatile boolean fallBack;
    private final AtomicLong fallbacks = new AtomicLong();

    private JobSerde(Class<T> type, SerdeConfig config, SchemaRegistryClient registry, Clock clock) {
        Objects.requireNonNull(config, "config");
        this.type = Objects.requireNonNull(type, "type");
        this.writeFormat = config.writeFormat();
        this.ownedRegistry =
                registry == null && config.registry() != null ? new SchemaRegistryClient(config.registry()) : null;
        SchemaRegistryClient used = registry != null ? registry : ownedRegistry;
        this.codec = new AvroCodec<>(type, SchemaHistory.shipped(), used);
        @SuppressWarnings("unchecked")
        AvroCodec<Job> jobCodec = type == Job.class ? (AvroCodec<Job>) codec : null;
        this.jobDecoder = jobCodec == null ? null : new JobDecoder(jobCodec, null, clock);
    }

    /** A serde for {@link Job}; creates its own registry client when {@code config} names a registry. */
    public static JobSerde<Job> forJob(SerdeConfig config) {
        return of(Job.class, config, null);
    }

    /** A serde for {@link Job} sharing {@code registry} (not closed by the serde). */
    public static JobSerde<Job> forJob(SerdeConfig config, SchemaRegistryClient registry) {
        return of(Job.class, config, registry);
    }

    /** A serde for {@link JobFailure}; creates its own registry client when {@code config} names a registry. */
    public static JobSerde<JobFailure> forFailure(SerdeConfig config) {
        return of(JobFailure.class, config, null);
    }

    /** A serde for {@link JobFailure} sharing {@code registry} (not closed by the serde). */
    public static JobSerde<JobFailure> forFailure(SerdeConfig config, SchemaRegistryClient registry) {
        return of(JobFailure.class, config, registry);
    }

    /** A serde for {@link DeadLetter}; creates its own registry client when {@code config} names a registry. */
    public static JobSerde<DeadLetter> forDeadLetter(SerdeConfig config) {
        return of(DeadLetter.class, config, null);
    }

    /** A serde for {@link DeadLetter} sharing {@code registry} (not closed by the serde). */
    public static JobSerde<DeadLetter> forDeadLetter(SerdeConfig config, SchemaRegistryClient registry) {
        return of(DeadLetter.class, config, registry);
    }

    /** A serde for {@link JobEvent}; creates its own registry client when {@code config} names a registry. */
    public static JobSerde<JobEvent> forEvent(SerdeConfig config) {
        return of(JobEvent.class, config, null);
    }

    /** A serde for {@link JobEvent} sharing {@code registry} (not closed by the serde). */
    public static JobSerde<JobEvent> forEvent(SerdeConfig config, SchemaRegistryClient registry) {
        return of(JobEvent.class, config, registry);
    }

    /**
     * A serde for {@code type}, one of the four wire records, sharing {@code registry} when not null (else creating
     * its own client when {@code config} names a registry).
     */
    public static <T extends SpecificRecord> JobSerde<T> of(
            Class<T> type, SerdeConfig config, SchemaRegistryClient registry) {
        if (!SchemaHistory.RECORD_NAMES.contains(type.getSimpleName())
                || !type.getPackageName().equals(Job.class.getPackageName())) {
            throw new IllegalArgumentException(
                    type.getName() + " is not a wire record; use one of " + SchemaHistory.RECORD_NAMES);
        }
        return new JobSerde<>(type, config, registry, Clock.systemUTC());
    }

    /** The record type this serde handles. */
    public Class<T> type() {
        return type;
    }

    /**
     * Makes this serde write Avro single-object encoding instead of the Confluent format while the schema registry is
     * unavailable (a {@link SchemaRegistryUnavailableException} when registering), rather than failing. For records a
     * worker or the dlq-service derives ({@code .failed}, {@code .dlq}, {@code .events}, delay tiers): Jobstream's
     * readers decode both formats, and a registry outage must not stop failures from being routed. A registry that is
     * only briefly unavailable (overloaded, restarting) does not change the format: the registration is tried {@value
     * #REGISTRY_TRIES} times, 100 ms then 200 ms apart, before a record is written single-object. Returns this serde.
     */
    public JobSerde<T> fallingBackWhenRegistryUnavailable() {
        fallBack = true;
        return this;
    }

    /** How many records this serde wrote single-object because the registry was unavailable. */
    public long registryFallbacks() {
        return fallbacks.get();
    }

    /** Encodes {@code record} for {@code topic} in the configured format; null for a null record. */
    public byte[] encode(String topic, T record) {
        if (record == null) {
            return null;
        }
        return switch (writeFormat) {
            case SINGLE_OBJECT -> codec.encodeSingleObject(record);
            case CONFLUENT ->
                fallBack ? encodeConfluentOrFallBack(topic, record) : codec.encodeConfluent(subject(topic), record);
        };
    }

    /** Tries of a registration before a record that may fall back is written single-object. */
    static final int REGISTRY_TRIES = 3;

    private byte[] encodeConfluentOrFallBack(String topic, T record) {
        for (int attempt = 1; ; attempt++) {
            try {
                return codec.encodeConfluent(subject(topic), record);
            } catch (SchemaRegistryUnavailableException e) {
                if (attempt == REGISTRY_TRIES) {
                    fallbacks.incrementAndGet();
                    return codec.encodeSingleObject(record);
                }
                try {
                    Thread.sleep(100L << (attempt - 1)); // 100 ms, then 200 ms
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    fallbacks.incrementAndGet();
                    return codec.encodeSingleObject(record);
                }
            }
        }
    }

    /** Decodes a value of {@code topic} in whichever format its first bytes announce; null for a null value. */
    public T decode(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        if (jobDecoder != null) {
            @SuppressWarnings("unchecked")
            T job = (T) jobDecoder.decode(
                    data, () -> derivedId(topic, data), jobDecoder.clock().instant(), headers);
            return job;
        }
        if (data.length > 0 && data[0] == '{') {
            throw new JobDecodeException(
                    JobDecodeException.Reason.UNKNOWN_FORMAT,
                    "the JSON envelope is only for Job, not " + type.getSimpleName());
        }
        return codec.decode(data);
    }

    /** The id a JSON envelope without one gets from the Kafka deserializer: topic plus SHA-256 of the value. */
    static String derivedId(String topic, byte[] data) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            return Ulid.fromName(topic + "/sha256:" + HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private String subject(String topic) {
        Objects.requireNonNull(topic, "topic");
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }

    private final class SerializerView implements Serializer<T> {
        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            JobSerde.this.configure(configs, isKey);
        }

        @Override
        public byte[] serialize(String topic, T data) {
            return encode(topic, data);
        }

        @Override
        public void close() {}
    }

    private final class DeserializerView implements Deserializer<T> {
        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            JobSerde.this.configure(configs, isKey);
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            return decode(topic, null, data);
        }

        @Override
        public T deserialize(String topic, Headers headers, byte[] data) {
            return decode(topic, headers, data);
        }

        @Override
        public void close() {}
    }
}
