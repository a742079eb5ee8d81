package io.jobstream.schemas.internal;

import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecodeException.Reason;
import io.jobstream.schemas.JobEncodeException;
import io.jobstream.schemas.SchemaRegistryClient;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SchemaRegistryException;
import io.jobstream.schemas.SchemaRegistryUnavailableException;
import io.jobstream.schemas.TrustedAvroTypes;
import java.io.EOFException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in the two binary formats: Avro single-object encoding (writer schema
 * resolved by fingerprint from the {@link SchemaHistory}) and the Confluent wire format (writer schema fetched from
 * the registry by id, once per id, and read only when it is a version the {@link SchemaHistory} holds: a writer
 * schema decides how the reader walks the bytes, so one registered by anyone else is refused as {@code
 * UNKNOWN_SCHEMA}).
 *
 * <p>Thread-safe: readers and writers are shared, encoder/decoder scratch state is per thread. Decoding throws only
 * {@link JobDecodeException}; encoding throws {@link JobEncodeException}, or the registry's {@link
 * SchemaRegistryUnavailableException} / {@link SchemaRegistryException} when registering the schema fails.
 */
public final class AvroCodec<T extends SpecificRecord> {
    /** First byte of Avro single-object encoding. */
    public static final byte SINGLE_OBJECT_MAGIC_0 = (byte) 0xC3;
    /** Second byte of Avro single-object encoding. */
    public static final byte SINGLE_OBJECT_MAGIC_1 = (byte) 0x01;
    /** Length of the single-object header: two magic bytes and an 8-byte fingerprint. */
    public static final int SINGLE_OBJECT_HEADER_LENGTH = 10;
    /** First byte of the Confluent wire format. */
    public static final byte CONFLUENT_MAGIC = 0x00;
    /** Length of the Confluent header: magic byte and a 4-byte schema id. */
    public static final int CONFLUENT_HEADER_LENGTH = 5;

    private static final EncoderFactory ENCODERS = EncoderFactory.get();

    private static final class Scratch {
        final ByteSink sink = new ByteSink();
        final BoundedBinaryDecoder decoder = new BoundedBinaryDecoder();
        BinaryEncoder encoder;

        Scratch() {
            MADE.increment();
        }
    }

    /** How many scratches were made (tests: virtual threads must borrow, not make one each). */
    private static final LongAdder MADE = new LongAdder();

    static long scratchesMade() {
        return MADE.sum();
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Scratch lent to virtual threads. A processor runs each job on a fresh virtual thread, whose thread-locals start
     * empty: a thread-local scratch would be made anew per job (a 512-byte buffer, an encoder, a decoder — the largest
     * allocation of a processor's run in a profile). Bounded; a scratch whose buffer grew large is not returned.
     */
    private static final ArrayBlockingQueue<Scratch> LENT = new ArrayBlockingQueue<>(64);

    private static final int LENT_CAPACITY_LIMIT = 64 * 1024;

    /** A scratch for the calling thread: its own on a platform thread, one borrowed on a virtual thread. */
    private static Scratch borrow() {
        if (!Thread.currentThread().isVirtual()) {
            return SCRATCH.get();
        }
        Scratch scratch = LENT.poll();
        return scratch != null ? scratch : new Scratch();
    }

    /** Gives back what {@link #borrow()} lent (a platform thread's own scratch stays with it). */
    private static void giveBack(Scratch scratch) {
        if (Thread.currentThread().isVirtual() && scratch.sink.capacity() <= LENT_CAPACITY_LIMIT) {
            LENT.offer(scratch);
        }
    }

    private final String name;
    private final Schema readerSchema;
    private final Schema registeredSchema;
    private final SpecificData model;
    private final SpecificDatumWriter<T> writer;
    private final byte[] singleObjectHeader;
    private final long currentFingerprint;
    private final DatumReader<T> currentReader;
    private final Map<Long, DatumReader<T>> historyReaders;
    private final SchemaHistory history;
    private final SchemaRegistryClient registry;
    private final ConcurrentHashMap<Integer, DatumReader<T>> confluentReaders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> idsBySubject = new ConcurrentHashMap<>();
    /** Registry ids found to be no released version, with the refusal (at most {@link #MAX_REFUSED_IDS}). */
    private final ConcurrentHashMap<Integer, String> refusedIds = new ConcurrentHashMap<>();

    private static final int MAX_REFUSED_IDS = 1_024;

    /**
     * @param type the generated record class
     * @param history the released versions of the record's schema
     * @param registry the schema registry for the Confluent format, or null when there is none
     */
    public AvroCodec(Class<T> type, SchemaHistory history, SchemaRegistryClient registry) {
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        TrustedAvroTypes.trustJobstreamRecords();
        TrustedAvroTypes.trust(readerSchema);
        this.name = readerSchema.getName();
        this.history = Objects.requireNonNull(history, "history");
        this.registry = registry;
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
        this.currentFingerprint = SchemaNormalization.parsingFingerprint64(readerSchema);
        this.currentReader = new SpecificDatumReader<>(readerSchema, readerSchema, model);
        this.singleObjectHeader = new byte[SINGLE_OBJECT_HEADER_LENGTH];
        singleObjectHeader[0] = SINGLE_OBJECT_MAGIC_0;
        singleObjectHeader[1] = SINGLE_OBJECT_MAGIC_1;
        for (int i = 0; i < 8; i++) {
            singleObjectHeader[2 + i] = (byte) (currentFingerprint >>> (8 * i));
        }
        Map<Long, DatumReader<T>> readers = new HashMap<>();
        history.byFingerprint(name).forEach((fingerprint, writerSchema) -> {
            if (fingerprint != currentFingerprint && compatible(writerSchema)) {
                readers.put(fingerprint, new SpecificDatumReader<>(writerSchema, readerSchema, model));
            }
        });
        this.historyReaders = Map.copyOf(readers);
        Schema latest = history.latest(name);
        this.registeredSchema =
                SchemaNormalization.parsingFingerprint64(latest) == currentFingerprint ? latest : readerSchema;
    }

    /** The record's schema as this codec writes it. */
    public Schema schema() {
        return readerSchema;
    }

    /** Avro single-object encoding of {@code record}. */
    public byte[] encodeSingleObject(T record) {
        Scratch scratch = borrow();
        try {
            ByteSink sink = scratch.sink;
            sink.reset();
            sink.write(singleObjectHeader, 0, SINGLE_OBJECT_HEADER_LENGTH);
            writeBody(scratch, record);
            return sink.toByteArray();
        } finally {
            giveBack(scratch);
        }
    }

    /** Confluent wire format of {@code record}, its schema registered under {@code subject} (once). */
    public byte[] encodeConfluent(String subject, T record) {
        Integer id = idsBySubject.get(subject);
        if (id == null) {
            if (registry == null) {
                throw new IllegalStateException(
                        "the Confluent format needs a schema registry: set " + SchemaRegistryConfig.URL);
            }
            id = registry.register(subject, registeredSchema);
            idsBySubject.putIfAbsent(subject, id);
        }
        Scratch scratch = borrow();
        try {
            ByteSink sink = scratch.sink;
            sink.reset();
            sink.write(CONFLUENT_MAGIC);
            sink.writeIntBigEndian(id);
            writeBody(scratch, record);
            return sink.toByteArray();
        } finally {
            giveBack(scratch);
        }
    }

    private void writeBody(Scratch scratch, T record) {
        if (record == null) {
            throw new JobEncodeException("cannot encode a null " + name, null);
        }
        try {
            scratch.encoder = ENCODERS.directBinaryEncoder(scratch.sink, scratch.encoder);
            writer.write(record, scratch.encoder);
            scratch.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new JobEncodeException("cannot encode " + name + ": " + e, e);
        }
    }

    /** Decodes either binary format, chosen by the first byte. */
    public T decode(byte[] data) {
        if (data == null || data.length == 0) {
            throw new JobDecodeException(Reason.EMPTY, "no bytes to decode a " + name + " from");
        }
        return switch (data[0]) {
            case SINGLE_OBJECT_MAGIC_0 -> decodeSingleObject(data);
            case CONFLUENT_MAGIC -> decodeConfluent(data);
            default ->
                throw new JobDecodeException(
                        Reason.UNKNOWN_FORMAT,
                        String.format(
                                "first byte 0x%02x is neither Avro single-object (0xc3 0x01) nor Confluent (0x00)",
                                data[0] & 0xff));
        };
    }

    /** Decodes Avro single-object encoding; the writer schema comes from the history by fingerprint. */
    public T decodeSingleObject(byte[] data) {
        if (data.length < 2 || data[1] != SINGLE_OBJECT_MAGIC_1) {
            throw new JobDecodeException(
                    data.length < 2 ? Reason.TRUNCATED : Reason.UNKNOWN_FORMAT,
                    "not Avro single-object encoding: header is not 0xc3 0x01");
        }
        if (data.length < SINGLE_OBJECT_HEADER_LENGTH) {
            throw new JobDecodeException(Reason.TRUNCATED, "single-object header needs 10 bytes, got " + data.length);
        }
        long fingerprint = 0;
        for (int i = 7; i >= 0; i--) {
            fingerprint = (fingerprint << 8) | (data[2 + i] & 0xff);
        }
        DatumReader<T> reader = fingerprint == currentFingerprint ? currentReader : historyReaders.get(fingerprint);
        if (reader == null) {
            Optional<String> other = history.nameOf(fingerprint);
            throw new JobDecodeException(
                    Reason.UNKNOWN_SCHEMA,
                    other.isPresent() && !other.get().equals(name)
                            ? String.format("fingerprint %016x is a %s schema, not %s", fingerprint, other.get(), name)
                            : String.format("fingerprint %016x is no known version of %s", fingerprint, name));
        }
        return readBody(reader, data, SINGLE_OBJECT_HEADER_LENGTH);
    }

    /** Decodes the Confluent wire format; the writer schema comes from the registry, once per id. */
    public T decodeConfluent(byte[] data) {
        if (data.length < CONFLUENT_HEADER_LENGTH) {
            throw new JobDecodeException(Reason.TRUNCATED, "Confluent header needs 5 bytes, got " + data.length);
        }
        int id = (data[1] & 0xff) << 24 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 8 | (data[4] & 0xff);
        return readBody(confluentReader(id), data, CONFLUENT_HEADER_LENGTH);
    }

    private DatumReader<T> confluentReader(int id) {
        DatumReader<T> reader = confluentReaders.get(id);
        if (reader != null) {
            return reader;
        }
        String refusal = refusedIds.get(id);
        if (refusal != null) {
            throw new JobDecodeException(Reason.UNKNOWN_SCHEMA, refusal);
        }
        if (registry == null) {
            throw new JobDecodeException(
                    Reason.UNKNOWN_SCHEMA,
                    "Confluent wire format (schema id " + id + ") but no schema registry is configured ("
                            + SchemaRegistryConfig.URL + ")");
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaRegistryUnavailableException e) {
            throw new JobDecodeException(Reason.REGISTRY_UNAVAILABLE, "schema id " + id + ": " + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            boolean refused = e.httpStatus() == 401 || e.httpStatus() == 403;
            throw new JobDecodeException(
                    refused ? Reason.REGISTRY_UNAVAILABLE : Reason.UNKNOWN_SCHEMA,
                    "schema id " + id + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            throw new JobDecodeException(Reason.REGISTRY_UNAVAILABLE, "schema id " + id + ": " + e, e);
        }
        if (!compatible(writerSchema)) {
            throw new JobDecodeException(
                    Reason.INCOMPATIBLE_SCHEMA,
                    "schema id " + id + " (" + writerSchema.getFullName() + ") cannot be read as " + name);
        }
        long fingerprint = SchemaNormalization.parsingFingerprint64(writerSchema);
        if (fingerprint != currentFingerprint && !historyReaders.containsKey(fingerprint)) {
            // Anyone who may register a schema could otherwise choose how our readers skip (an array<null> field
            // makes skipping quadratic): only the versions this module ships are read.
            String unknown = String.format(
                    "schema id %d (fingerprint %016x) is no released version of %s; register the schema Jobstream"
                            + " ships",
                    id, fingerprint, name);
            if (refusedIds.size() < MAX_REFUSED_IDS) {
                refusedIds.putIfAbsent(id, unknown);
            }
            throw new JobDecodeException(Reason.UNKNOWN_SCHEMA, unknown);
        }
        reader = fingerprint == currentFingerprint ? currentReader : historyReaders.get(fingerprint);
        DatumReader<T> raced = confluentReaders.putIfAbsent(id, reader);
        return raced != null ? raced : reader;
    }

    private boolean compatible(Schema writerSchema) {
        try {
            return SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema)
                            .getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private T readBody(DatumReader<T> reader, byte[] data, int offset) {
        Scratch scratch = borrow();
        BoundedBinaryDecoder decoder = scratch.decoder;
        decoder.reset(data, offset, data.length - offset);
        try {
            T record = reader.read(null, decoder);
            if (decoder.remaining() != 0) {
                throw new JobDecodeException(
                        Reason.INVALID_FIELD, decoder.remaining() + " bytes left over after the " + name + " record");
            }
            return record;
        } catch (JobDecodeException e) {
            throw e;
        } catch (EOFException e) {
            throw new JobDecodeException(Reason.TRUNCATED, name + " ends early: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            JobDecodeException wrapped = causeOfType(e);
            if (wrapped != null) {
                throw wrapped;
            }
            throw new JobDecodeException(Reason.INVALID_FIELD, "malformed " + name + ": " + e, e);
        } finally {
            decoder.release();
            giveBack(scratch);
        }
    }

    private static JobDecodeException causeOfType(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != e; t = t.getCause()) {
            if (t instanceof JobDecodeException decodeException) {
                return decodeException;
            }
            if (t instanceof EOFException) {
                return new JobDecodeException(Reason.TRUNCATED, "ends early: " + t.getMessage(), e);
            }
        }
        return null;
    }
}
