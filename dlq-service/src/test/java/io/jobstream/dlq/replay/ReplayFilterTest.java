package io.jobstream.dlq.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.dlq.TestJobs;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayFilterTest {
    private static final Instant AT = Instant.parse("2026-11-22T06:00:00Z");

    private static DeadLetterEntry entry(String type, FailureReason reason, String message, Instant deadAt) {
        Job job = TestJobs.job(type, 4);
        DeadLetter letter = DeadLetter.newBuilder()
                .setLastFailure(TestJobs.failure(job, "emails", deadAt, reason, true))
                .setHistory(List.of())
                .setDeadAt(deadAt)
                .build();
        return new DeadLetterEntry(
                "emails.dlq",
                0,
                7,
                job.getId(),
                type,
                reason.name(),
                "java.lang.IllegalStateException",
                message,
                4,
                deadAt,
                false,
                letter);
    }

    @Test
    void everyCriterionMustHold() {
        DeadLetterEntry e = entry("send_email", FailureReason.HANDLER_ERROR, "SMTP timed out", AT);
        assertThat(ReplayFilter.all("emails").matches(e)).isTrue();
        assertThat(ReplayFilter.all("emails").withType("send_email").matches(e)).isTrue();
        assertThat(ReplayFilter.all("emails").withType("send_sms").matches(e)).isFalse();
        // reasons are case-insensitive
        assertThat(ReplayFilter.all("emails").withReason("handler_error").matches(e))
                .isTrue();
        assertThat(ReplayFilter.all("emails").withReason("TIMEOUT").matches(e)).isFalse();
        // error-contains looks at the class and the message, case-insensitively
        assertThat(ReplayFilter.all("emails").withErrorContains("smtp").matches(e))
                .isTrue();
        assertThat(ReplayFilter.all("emails").withErrorContains("IllegalState").matches(e))
                .isTrue();
        assertThat(ReplayFilter.all("emails").withErrorContains("refused").matches(e))
                .isFalse();
        // since is inclusive, until exclusive
        assertThat(ReplayFilter.all("emails").withSince(AT).matches(e)).isTrue();
        assertThat(ReplayFilter.all("emails").withSince(AT.plusMillis(1)).matches(e))
                .isFalse();
        assertThat(ReplayFilter.all("emails").withUntil(AT).matches(e)).isFalse();
        assertThat(ReplayFilter.all("emails").withUntil(AT.plusMillis(1)).matches(e))
                .isTrue();
        // ids: any of them
        assertThat(ReplayFilter.all("emails").withIds(Set.of("x", e.jobId())).matches(e))
                .isTrue();
        assertThat(ReplayFilter.all("emails").withIds(Set.of("x")).matches(e)).isFalse();
        // all together
        assertThat(ReplayFilter.all("emails")
                        .withType("send_email")
                        .withReason("HANDLER_ERROR")
                        .withErrorContains("timed out")
                        .withSince(AT.minusSeconds(1))
                        .withUntil(AT.plusSeconds(1))
                        .matches(e))
                .isTrue();
    }

    @Test
    void badFiltersAreRejected() {
        assertThatThrownBy(() -> ReplayFilter.all("Bad_Queue")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplayFilter.all("emails").withLimit(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> ReplayFilter.all("emails").withSince(AT).withUntil(AT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("since");
        assertThatThrownBy(() -> ReplayRequest.of(ReplayFilter.all("emails")).rate(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate");
    }

    @Test
    void entriesAddressTheirDlqRecord() {
        DeadLetterEntry e = entry("send_email", FailureReason.HANDLER_ERROR, "x", AT);
        assertThat(e.address()).isEqualTo("emails.dlq/0/7");
        assertThat(e.replayedKey()).isEqualTo("0/7");
        assertThat(ReplayRequest.of(ReplayFilter.all("emails")).targetQueue()).isEqualTo("emails");
        assertThat(ReplayRequest.of(ReplayFilter.all("emails"))
                        .toQueue("emails-2")
                        .targetQueue())
                .isEqualTo("emails-2");
    }

    @Test
    void aReplayNeverTargetsADerivedOrInternalTopic() {
        for (String target : List.of("emails.dlq", "emails.events", "emails.failed", "emails.delay.5s")) {
            assertThatThrownBy(
                            () -> ReplayRequest.of(ReplayFilter.all("emails")).toQueue(target))
                    .as(target)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a queue");
        }
    }
}
