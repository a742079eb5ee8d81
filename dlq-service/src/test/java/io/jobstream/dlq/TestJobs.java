package io.jobstream.dlq;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.TrustedAvroTypes;
import io.jobstream.schemas.Ulid;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Jobs and failures for tests. */
public final class TestJobs {
    static {
        // tests copy records with newBuilder(other), which loads classes by name, often before any codec exists
        TrustedAvroTypes.trustJobstreamRecords();
    }

    private TestJobs() {}

    /** A job of type {@code type} at attempt {@code attempt}. */
    public static Job job(String type, int attempt) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setAttempt(attempt)
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setHeaders(Map.of("tenant", "acme"))
                .build();
    }

    /** A retryable HANDLER_ERROR failure of {@code job} read from {@code queue}. */
    public static JobFailure failure(Job job, String queue, Instant at) {
        return failure(job, queue, at, FailureReason.HANDLER_ERROR, true);
    }

    /** A failure of {@code job} read from {@code queue} at offset 41 of partition 2. */
    public static JobFailure failure(Job job, String queue, Instant at, FailureReason reason, boolean retryable) {
        return JobFailure.newBuilder()
                .setJob(job)
                .setReason(reason)
                .setErrorClass("java.lang.IllegalStateException")
                .setMessage("boom at attempt " + job.getAttempt())
                .setStackTrace("java.lang.IllegalStateException: boom\n\tat Handler.run(Handler.java:1)")
                .setRetryable(retryable)
                .setFailedAt(at)
                .setWorkerId("worker-1")
                .setSourceTopic(queue)
                .setSourcePartition(2)
                .setSourceOffset(41L)
                .build();
    }
}
