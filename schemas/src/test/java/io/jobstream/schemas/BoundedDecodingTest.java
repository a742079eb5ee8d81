package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Length claims in hostile input must fail before anything of that size is allocated. */
class BoundedDecodingTest {
    private final JobSerde<Job> jobs = JobSerde.forJob(SerdeConfig.singleObject());
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SerdeConfig.singleObject());

    private static byte[] singleObject(org.apache.avro.Schema schema, long... varints) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fingerprint >>> (8 * i)));
        }
        for (long value : varints) {
            long zigzag = (value << 1) ^ (value >> 63);
            while ((zigzag & ~0x7FL) != 0) {
                out.write((int) ((zigzag & 0x7F) | 0x80));
                zigzag >>>= 7;
            }
            out.write((int) zigzag);
        }
        return out.toByteArray();
    }

    private static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @ParameterizedTest
    @ValueSource(longs = {Integer.MAX_VALUE - 8, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE})
    void aHugeStringLengthIsTruncatedWithoutAllocatingIt(long claim) {
        // Given a Job whose id claims a huge length
        byte[] bytes = singleObject(Job.SCHEMA$, claim);

        // When decoded / Then TRUNCATED, having allocated nowhere near the claim
        long allocated = allocatedBy(() -> assertThatThrownBy(() -> jobs.decode("jobs", null, bytes))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED)));
        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void aNegativeLengthIsInvalid() {
        byte[] bytes = singleObject(Job.SCHEMA$, -5);
        assertThatThrownBy(() -> jobs.decode("jobs", null, bytes))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD));
    }

    @Test
    void aHugeArrayCountIsTruncatedWithoutAllocatingIt() {
        // Given a DeadLetter whose history claims two billion entries right after a valid lastFailure
        byte[] valid = deadLetters.encode("emails.dlq", Fixtures.deadLetter());
        byte[] failure = JobSerde.forFailure(SerdeConfig.singleObject()).encode("x", Fixtures.undecodableFailure());
        byte[] claim = singleObject(DeadLetter.SCHEMA$, Integer.MAX_VALUE - 8);
        byte[] bytes = new byte[10 + (failure.length - 10) + (claim.length - 10)];
        System.arraycopy(valid, 0, bytes, 0, 10);
        System.arraycopy(failure, 10, bytes, 10, failure.length - 10);
        System.arraycopy(claim, 10, bytes, 10 + failure.length - 10, claim.length - 10);

        // When decoded / Then TRUNCATED, having allocated nowhere near the claim
        long allocated = allocatedBy(() -> assertThatThrownBy(() -> deadLetters.decode("emails.dlq", null, bytes))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED)));
        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void anOverlongVarintIsInvalid() {
        byte[] bytes = new byte[30];
        System.arraycopy(singleObject(Job.SCHEMA$), 0, bytes, 0, 10);
        java.util.Arrays.fill(bytes, 10, 30, (byte) 0xFF);
        assertThatThrownBy(() -> jobs.decode("jobs", null, bytes))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD));
    }

    @Test
    void aShortHeaderIsTruncatedAndAnUnknownMagicIsAnUnknownFormat() {
        assertThatThrownBy(() -> jobs.decode("jobs", null, new byte[] {(byte) 0xC3, 0x01, 1}))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        assertThatThrownBy(() -> jobs.decode("jobs", null, new byte[] {0, 0, 1}))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        assertThatThrownBy(() -> jobs.decode("jobs", null, new byte[] {(byte) 0xC3, 0x02, 1}))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FORMAT));
        assertThatThrownBy(() -> jobs.decode("jobs", null, new byte[] {0x42}))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FORMAT));
    }
}
