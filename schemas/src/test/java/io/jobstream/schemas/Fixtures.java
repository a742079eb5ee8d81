package io.jobstream.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Sample records with every field set (times in whole milliseconds, the wire precision). */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-22T05:00:00.123Z");

    private Fixtures() {}

    static Job job() {
        byte[] payload = new byte[200];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return Job.newBuilder()
                .setId("01JD2Y8Z3K4M5N6P7Q8R9S0TVW")
                .setType("send_email")
                .setPayload(ByteBuffer.wrap(payload))
                .setContentType("application/json")
                .setOrderingKey("customer-42")
                .setAttempt(2)
                .setMaxAttempts(5)
                .setCreatedAt(T0)
                .setNotBefore(T0.plusSeconds(5))
                .setExpiresAt(T0.plusSeconds(3600))
                .setHeaders(Map.of("tenant", "acme", "source", "test"))
                .setTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .build();
    }

    static Job minimalJob() {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType("noop")
                .setPayload(ByteBuffer.wrap(new byte[0]))
                .setCreatedAt(T0)
                .build();
    }

    static JobFailure failure() {
        return JobFailure.newBuilder()
                .setJob(job())
                .setReason(FailureReason.HANDLER_ERROR)
                .setErrorClass("java.lang.IllegalStateException")
                .setMessage("smtp said no")
                .setStackTrace("java.lang.IllegalStateException: smtp said no\n\tat Example.run(Example.java:1)")
                .setRetryable(true)
                .setFailedAt(T0.plusMillis(250))
                .setWorkerId("worker-1")
                .setSourceTopic("emails")
                .setSourcePartition(3)
                .setSourceOffset(12345L)
                .build();
    }

    static JobFailure undecodableFailure() {
        return JobFailure.newBuilder()
                .setRawKey(ByteBuffer.wrap("key".getBytes(StandardCharsets.UTF_8)))
                .setRawValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setReason(FailureReason.DECODE_ERROR)
                .setErrorClass(JobDecodeException.class.getName())
                .setMessage("UNKNOWN_FORMAT: first byte 0x01")
                .setRetryable(false)
                .setFailedAt(T0)
                .setWorkerId("worker-2")
                .setSourceTopic("emails")
                .setSourcePartition(0)
                .setSourceOffset(7L)
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setLastFailure(failure())
                .setHistory(List.of(
                        new FailureRecord(FailureReason.TIMEOUT, "took too long", T0.minusSeconds(60)),
                        new FailureRecord(FailureReason.HANDLER_ERROR, "boom", T0.minusSeconds(30))))
                .setDeadAt(T0.plusSeconds(1))
                .build();
    }

    static JobEvent event() {
        return JobEvent.newBuilder()
                .setJobId("01JD2Y8Z3K4M5N6P7Q8R9S0TVW")
                .setQueue("emails")
                .setType("send_email")
                .setState(JobState.RETRY_SCHEDULED)
                .setAttempt(2)
                .setAt(T0)
                .setWorkerId("worker-1")
                .setError("IllegalStateException: smtp said no")
                .build();
    }

    /** One sample of every wire record, with the serde that handles it. */
    static List<SpecificRecord> everyRecord() {
        return List.of(job(), minimalJob(), failure(), undecodableFailure(), deadLetter(), event());
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> JobSerde<T> serdeFor(
            T record, SerdeConfig config, SchemaRegistryClient registry) {
        return JobSerde.of((Class<T>) record.getClass(), config, registry);
    }
}
