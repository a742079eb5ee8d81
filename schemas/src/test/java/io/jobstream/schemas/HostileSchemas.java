package io.jobstream.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * The hostile writer schema of issue 17 §4: the Job schema plus an {@code array<null>} field, and a record in it whose
 * array announces, block after block, as many zero-size items as bytes remain (skipping it was quadratic).
 */
public final class HostileSchemas {
    private HostileSchemas() {}

    /** A job with headers (the fixture job). */
    public static Job job() {
        return Fixtures.job();
    }

    /** The Job schema with a trailing {@code junk: array<null>} field. */
    public static Schema jobWithNullArray() {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode schema = (ObjectNode) json.readTree(Job.SCHEMA$.toString());
            ObjectNode junk = schema.withArray("fields").addObject();
            junk.put("name", "junk");
            junk.putObject("type").put("type", "array").put("items", "null");
            return new Schema.Parser().parse(schema.toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A body of {@link #jobWithNullArray()} (no header) of exactly {@code size} bytes: {@code job}'s fields, then the
     * array as blocks each announcing as many items as bytes remain after it, then the end of the array.
     */
    public static byte[] body(Job job, int size) {
        byte[] singleObject = JobSerde.forJob(SerdeConfig.singleObject()).encode("jobs", job);
        byte[] fields = Arrays.copyOfRange(singleObject, 10, singleObject.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(fields, 0, fields.length);
        int arrayEnd = size - 1;
        while (out.size() < arrayEnd - 8) {
            writeVarint(out, arrayEnd - out.size() - 5);
        }
        while (out.size() < arrayEnd) {
            writeVarint(out, 1);
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
    }
}
