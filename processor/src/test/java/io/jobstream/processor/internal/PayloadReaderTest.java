package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.processor.PayloadDecodeException;
import io.jobstream.schemas.Job;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PayloadReaderTest {
    private final ObjectMapper mapper = new ObjectMapper();

    record Email(String to, int seq) {}

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsJsonIntoARecord() {
        assertThat(PayloadReader.of(Email.class, mapper).read(utf8("{\"to\":\"a@b.c\",\"seq\":7}")))
                .isEqualTo(new Email("a@b.c", 7));
    }

    @Test
    void givesRawBytesAndText() {
        assertThat(PayloadReader.of(byte[].class, mapper).read(utf8("hi"))).isEqualTo("hi".getBytes());
        assertThat(PayloadReader.of(String.class, mapper).read(utf8("hi"))).isEqualTo("hi");
    }

    @Test
    void readsAnAvroRecordFromSingleObjectOrPlainBinary() throws Exception {
        // Given an Avro record in both encodings
        Job job = Job.newBuilder()
                .setId("01J0000000000000000000000")
                .setType("t")
                .setPayload(utf8("{}"))
                .setCreatedAt(Instant.ofEpochMilli(1_000))
                .build();
        ByteBuffer singleObject = job.toByteBuffer();
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(plain, null);
        new org.apache.avro.specific.SpecificDatumWriter<Job>(Job.getClassSchema()).write(job, encoder);
        encoder.flush();

        // Then both read back
        PayloadReader<Job> reader = PayloadReader.of(Job.class, mapper);
        assertThat(reader.read(singleObject)).isEqualTo(job);
        assertThat(reader.read(ByteBuffer.wrap(plain.toByteArray()))).isEqualTo(job);
    }

    @Test
    void failsWithAPayloadDecodeExceptionOnBadInput() {
        assertThatThrownBy(() -> PayloadReader.of(Email.class, mapper).read(utf8("not json")))
                .isInstanceOf(PayloadDecodeException.class)
                .hasMessageContaining(Email.class.getName());
        assertThatThrownBy(() -> PayloadReader.of(Job.class, mapper).read(utf8("\u0001\u0002")))
                .isInstanceOf(PayloadDecodeException.class);
    }
}
