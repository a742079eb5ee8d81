package io.jobstream.processor.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.processor.PayloadDecodeException;
import io.jobstream.schemas.TrustedAvroTypes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a job's payload bytes into a handler's payload type: {@code byte[]} as is, {@code String} as UTF-8, an Avro
 * {@link SpecificRecord} class from Avro single-object encoding (what {@code record.toByteBuffer()} writes) or plain
 * Avro binary, and any other class from JSON through Jackson.
 *
 * <p>Thread-safe. Every failure is a {@link PayloadDecodeException} (never retried).
 *
 * @param <T> the payload type
 */
public abstract sealed class PayloadReader<T> {
    private final Class<T> type;

    private PayloadReader(Class<T> type) {
        this.type = type;
    }

    /** A reader for {@code type}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> PayloadReader<T> of(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        if (type == byte[].class) {
            return (PayloadReader<T>) new Raw();
        }
        if (type == String.class) {
            return (PayloadReader<T>) new Text();
        }
        if (SpecificRecord.class.isAssignableFrom(type)) {
            return new Avro(type);
        }
        return new Json<>(type, Objects.requireNonNull(mapper, "mapper"));
    }

    /** The payload type. */
    public Class<T> type() {
        return type;
    }

    /** Reads {@code payload}. */
    public final T read(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        try {
            return decode(bytes);
        } catch (PayloadDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new PayloadDecodeException("payload cannot be read as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    abstract T decode(byte[] bytes) throws IOException;

    private static final class Raw extends PayloadReader<byte[]> {
        Raw() {
            super(byte[].class);
        }

        @Override
        byte[] decode(byte[] bytes) {
            return bytes;
        }
    }

    private static final class Text extends PayloadReader<String> {
        Text() {
            super(String.class);
        }

        @Override
        String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final class Json<T> extends PayloadReader<T> {
        private final ObjectMapper mapper;

        Json(Class<T> type, ObjectMapper mapper) {
            super(type);
            this.mapper = mapper;
        }

        @Override
        T decode(byte[] bytes) throws IOException {
            return mapper.readValue(bytes, type());
        }
    }

    private static final class Avro<T extends SpecificRecord> extends PayloadReader<T> {
        private final BinaryMessageDecoder<T> singleObject;
        private final SpecificDatumReader<T> plain;

        Avro(Class<T> type) {
            super(type);
            SpecificData data = SpecificData.getForClass(type);
            Schema schema = data.getSchema(type);
            TrustedAvroTypes.trust(schema);
            this.singleObject = new BinaryMessageDecoder<>(data, schema);
            this.plain = new SpecificDatumReader<>(schema, schema, data);
        }

        @Override
        T decode(byte[] bytes) throws IOException {
            if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01) {
                return singleObject.decode(bytes);
            }
            return plain.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        }
    }
}
