package io.jobstream.dlq.internal;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureHistoryTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void carriesFailuresForwardOldestFirst() {
        // Given a job that failed twice, its history carried in its headers
        Job job = job("a", 1);
        for (int i = 0; i < 2; i++) {
            List<FailureRecord> history = FailureHistory.appended(job, failure(job, "q", T0.plusSeconds(i)), 10);
            job = Job.newBuilder(job)
                    .setAttempt(job.getAttempt() + 1)
                    .setHeaders(FailureHistory.withHistory(job.getHeaders(), history))
                    .build();
        }
        // Then both failures read back in order, and other headers are untouched
        assertThat(FailureHistory.of(job))
                .extracting(FailureRecord::getMessage, FailureRecord::getAt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("boom at attempt 1", T0),
                        org.assertj.core.groups.Tuple.tuple("boom at attempt 2", T0.plusSeconds(1)));
        assertThat(job.getHeaders()).containsEntry("tenant", "acme");
        assertThat(FailureHistory.withoutHistory(job.getHeaders())).isEqualTo(Map.of("tenant", "acme"));
    }

    @Test
    void keepsOnlyTheLatestFailuresAndShortMessages() {
        Job job = job("a", 1);
        for (int i = 0; i < 5; i++) {
            JobFailure failure = JobFailure.newBuilder(failure(job, "q", T0.plusSeconds(i)))
                    .setMessage(i + "x".repeat(2_000))
                    .build();
            job = Job.newBuilder(job)
                    .setHeaders(FailureHistory.withHistory(job.getHeaders(), FailureHistory.appended(job, failure, 3)))
                    .build();
        }
        List<FailureRecord> history = FailureHistory.of(job);
        assertThat(history).hasSize(3);
        assertThat(history).extracting(r -> r.getMessage().charAt(0)).containsExactly('2', '3', '4');
        assertThat(history).allSatisfy(r -> assertThat(r.getMessage()).hasSize(FailureHistory.MAX_MESSAGE));
    }

    @Test
    void malformedHistoryReadsAsEmptyAndUnknownReasonsAsHandlerError() {
        Job broken = Job.newBuilder(job("a", 1))
                .setHeaders(Map.of(FailureHistory.HEADER, "{not json"))
                .build();
        assertThat(FailureHistory.of(broken)).isEmpty();
        Job newer = Job.newBuilder(job("a", 1))
                .setHeaders(Map.of(FailureHistory.HEADER, "[{\"r\":\"FROM_THE_FUTURE\",\"m\":\"x\",\"at\":5}]"))
                .build();
        assertThat(FailureHistory.of(newer)).singleElement().satisfies(r -> assertThat(r.getReason())
                .isEqualTo(FailureReason.HANDLER_ERROR));
    }
}
