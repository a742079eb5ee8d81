package io.jobstream.producer.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Encodes job payloads: objects as compact UTF-8 JSON (Jackson), Avro records in single-object encoding. */
public final class Payloads {
    /** Content type of a JSON payload. */
    public static final String JSON = "application/json";
    /** Content type of an Avro payload (single-object encoding: C3 01, fingerprint, binary). */
    public static final String AVRO = "application/avro";
    /** Content type of opaque bytes. */
    public static final String OCTET_STREAM = "application/octet-stream";

    /** The mapper for JSON payloads: java.time as ISO-8601 text, Optional unwrapped. Thread-safe. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private static final Map<Schema, BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ConcurrentHashMap<>();

    private Payloads() {}

    /**
     * {@code value} as JSON bytes.
     *
     * @throws IllegalArgumentException when Jackson cannot write it
     */
    public static byte[] json(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "payload of type " + value.getClass().getName() + " cannot be written as JSON: "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    /**
     * Checks {@code json} is one well-formed JSON value and returns it as compact UTF-8 bytes.
     *
     * @throws IllegalArgumentException when it is not
     */
    public static byte[] jsonText(String json) {
        try {
            return MAPPER.writeValueAsBytes(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code record} in Avro single-object encoding (its schema is identified by the fingerprint). */
    public static byte[] avro(SpecificRecord record) {
        Schema schema = record.getSchema();
        BinaryMessageEncoder<SpecificRecord> encoder =
                ENCODERS.computeIfAbsent(schema, s -> new BinaryMessageEncoder<>(SpecificData.getForSchema(s), s));
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "Avro record " + schema.getFullName() + " cannot be encoded: " + e.getMessage(), e);
        }
    }
}
