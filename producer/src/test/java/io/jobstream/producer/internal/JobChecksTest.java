package io.jobstream.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.producer.Jobs;
import io.jobstream.schemas.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Issue 17 §4: the charset and length of every text field, and times the wire can hold, named when broken. */
class JobChecksTest {

    @Test
    void fieldsAtTheirLimitsPass() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < JobChecks.MAX_HEADERS - 2; i++) {
            headers.put("h" + i, "v");
        }
        headers.put("x".repeat(JobChecks.MAX_NAME_LENGTH), "tab\tand ünïcode ".repeat(10));
        Job job = Jobs.builder("t".repeat(JobChecks.MAX_NAME_LENGTH))
                .id("i".repeat(JobChecks.MAX_NAME_LENGTH))
                .orderingKey("kunde-ü ".repeat(32))
                .headers(headers)
                .header("big", "v".repeat(JobChecks.MAX_HEADER_VALUE_LENGTH))
                .notBefore(JobChecks.LATEST_TIME.minusSeconds(1))
                .expiresAt(JobChecks.LATEST_TIME)
                .build();

        JobChecks.checkIntrinsic(job);
        assertThat(job.getHeaders()).hasSize(JobChecks.MAX_HEADERS);
    }

    @Test
    void eachBrokenFieldIsInvalidNamingTheFieldWithoutEchoingIt() {
        assertInvalid(b -> {}, "t".repeat(1_000_000), "'type'");
        assertInvalid(b -> {}, "send\r\nemail", "'type'");
        assertInvalid(b -> {}, "send email", "'type'");
        assertInvalidId(b -> b.id("x".repeat(JobChecks.MAX_NAME_LENGTH + 1)));
        assertInvalidId(b -> b.id("job-1\nlevel=ERROR"));
        assertInvalidId(b -> b.id("jöb"));
        assertInvalid(b -> b.orderingKey("k".repeat(JobChecks.MAX_ORDERING_KEY_LENGTH + 1)), "t", "'orderingKey'");
        assertInvalid(b -> b.orderingKey("a\u0000b"), "t", "'orderingKey'");
        assertInvalid(b -> b.orderingKey("a\u2028b"), "t", "'orderingKey'");
        assertInvalid(b -> b.header("x\ny", "v"), "t", "header name");
        assertInvalid(b -> b.header("h".repeat(10_000), "v"), "t", "header name");
        assertInvalid(b -> b.header("tenant", "v".repeat(JobChecks.MAX_HEADER_VALUE_LENGTH + 1)), "t", "'tenant'");
        assertInvalid(b -> b.header("tenant", "a\r\nb"), "t", "'tenant'");
        assertInvalid(
                b -> {
                    for (int i = 0; i <= JobChecks.MAX_HEADERS; i++) {
                        b.header("h" + i, "v");
                    }
                },
                "t",
                "'headers'");
        assertInvalid(b -> b.traceParent("00-\r\n"), "t", "'traceParent'");
        assertInvalid(b -> b.notBefore(Instant.parse("+999999999-12-31T23:59:59Z")), "t", "'notBefore'");
        assertInvalid(b -> b.expiresAt(Instant.parse("+999999999-12-31T23:59:59Z")), "t", "'expiresAt'");
        assertInvalid(b -> b.notBefore(Instant.parse("-000001-01-01T00:00:00Z")), "t", "'notBefore'");
        assertInvalid(b -> b.delay(Duration.ofDays(365L * 100_000)), "t", "'delay'");
        assertInvalid(b -> b.ttl(Duration.ofDays(365L * 100_000)), "t", "'ttl'");
    }

    /** An id breaking the one id rule (JobIds) is INVALID_JOB_ID, its message naming the rule, not the id. */
    private static void assertInvalidId(Consumer<Jobs.Builder> setup) {
        Jobs.Builder builder = Jobs.builder("t");
        setup.accept(builder);
        assertThatThrownBy(builder::build).isInstanceOfSatisfying(JobRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.INVALID_JOB_ID);
            assertThat(e.getMessage()).contains("job id").doesNotContain("level=ERROR");
            assertThat(e.getMessage().length()).isLessThan(300);
        });
    }

    private static void assertInvalid(Consumer<Jobs.Builder> setup, String type, String field) {
        Jobs.Builder builder = Jobs.builder(type);
        setup.accept(builder);
        assertThatThrownBy(builder::build).isInstanceOfSatisfying(JobRejectedException.class, e -> {
            assertThat(e.reason()).as(field).isEqualTo(Reason.INVALID_JOB);
            assertThat(e.getMessage()).as(field).contains(field);
            assertThat(e.getMessage().length()).as(field).isLessThan(300);
        });
    }
}
