package io.jobstream.producer.internal;

import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.runtime.JobIds;
import io.jobstream.schemas.Job;
import java.time.Instant;
import java.util.Map;

/** The checks a job passes before it is sent; each failure is a {@link JobRejectedException} with its reason. */
public final class JobChecks {
    private JobChecks() {}

    /** Checks what a job must satisfy on its own: a type, an id ({@link JobIds}), attempts from 1, expiry after due time. */
    public static void checkIntrinsic(Job job) {
        if (job.getType() == null || job.getType().isBlank()) {
            throw new JobRejectedException(Reason.EMPTY_TYPE, "a job needs a non-blank type (it selects the handler)");
        }
        String idProblem = JobIds.problem(job.getId()).orElse(null);
        if (idProblem != null) {
            throw new JobRejectedException(Reason.INVALID_JOB_ID, idProblem);
        }
        if (job.getAttempt() < 1) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB,
                    "attempt must be at least 1, got " + job.getAttempt() + " (job " + job.getId() + ")");
        }
        // No capturing lambdas (each is an allocation): this runs once or twice per published job.
        Integer max = job.getMaxAttempts().orElse(null);
        if (max != null && max < 1) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB, "maxAttempts must be at least 1, got " + max + " (job " + job.getId() + ")");
        }
        Map<String, String> headers = job.getHeaders();
        if (headers == null) {
            throw new JobRejectedException(
                    Reason.INVALID_JOB, "headers must be a map, not null; use an empty one (job " + job.getId() + ")");
        }
        if (!headers.isEmpty()) {
            checkHeaders(job, headers);
        }
        Instant expiresAt = job.getExpiresAt().orElse(null);
        Instant notBefore = job.getNotBefore().orElse(null);
        if (expiresAt != null && notBefore != null && !expiresAt.isAfter(notBefore)) {
            throw new JobRejectedException(
                    Reason.EXPIRES_BEFORE_DUE,
                    "job " + job.getId() + " expires at " + expiresAt + ", not after it is due at " + notBefore
                            + ", so it could never run");
        }
    }

    private static void checkHeaders(Job job, Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() == null || header.getKey().isBlank() || header.getValue() == null) {
                throw new JobRejectedException(
                        Reason.INVALID_JOB,
                        "header names must be non-blank and values non-null (job " + job.getId() + ")");
            }
        }
    }

    /** {@link #checkIntrinsic} plus the payload limit and expiry at {@code now}. */
    public static void checkForPublish(Job job, long maxPayloadSize, Instant now) {
        checkIntrinsic(job);
        int size = job.getPayload() == null ? 0 : job.getPayload().remaining();
        if (size > maxPayloadSize) {
            throw new JobRejectedException(
                    Reason.PAYLOAD_TOO_LARGE,
                    "payload of job " + job.getId() + " is " + size + " bytes, over the limit of " + maxPayloadSize
                            + " bytes (jobstream.publisher.max-payload-size)");
        }
        Instant expiresAt = job.getExpiresAt().orElse(null);
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new JobRejectedException(
                    Reason.ALREADY_EXPIRED, "job " + job.getId() + " expired at " + expiresAt + " (now " + now + ")");
        }
    }
}
