package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class JobHeadersTest {
    @Test
    void namesJobstreamHeadersUnderItsPrefix() {
        assertThat(JobHeaders.DUE_AT).isEqualTo("jobstream.due-at");
        assertThat(JobHeaders.REPLAYED_FROM).isEqualTo("jobstream.replayed-from");
        assertThat(JobHeaders.CONTENT_TYPE).isEqualTo("jobstream.content-type");
        assertThat(JobHeaders.JOB_ID).isEqualTo("jobstream.job-id");
        assertThat(JobHeaders.ATTEMPT).isEqualTo("jobstream.attempt");
        assertThat(JobHeaders.FAILURE_REASON).isEqualTo("jobstream.failure-reason");
        assertThat(JobHeaders.TRACEPARENT).isEqualTo("traceparent");
    }

    @Test
    void usesSpringKafkasDeadLetterHeaderNames() {
        assertThat(JobHeaders.DLT_ORIGINAL_TOPIC).isEqualTo("kafka_dlt-original-topic");
        assertThat(JobHeaders.DLT_ORIGINAL_PARTITION).isEqualTo("kafka_dlt-original-partition");
        assertThat(JobHeaders.DLT_ORIGINAL_OFFSET).isEqualTo("kafka_dlt-original-offset");
        assertThat(JobHeaders.DLT_ORIGINAL_TIMESTAMP).isEqualTo("kafka_dlt-original-timestamp");
        assertThat(JobHeaders.DLT_EXCEPTION_FQCN).isEqualTo("kafka_dlt-exception-fqcn");
        assertThat(JobHeaders.DLT_EXCEPTION_MESSAGE).isEqualTo("kafka_dlt-exception-message");
        assertThat(JobHeaders.DLT_EXCEPTION_STACKTRACE).isEqualTo("kafka_dlt-exception-stacktrace");
    }

    @Test
    void encodesDueAtAsDecimalEpochMillisAndReadsTheLastValue() {
        // Given headers with an old and a new due time
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobHeaders.DUE_AT, "1".getBytes(StandardCharsets.UTF_8));
        Instant due = Instant.parse("2026-11-22T06:00:00.250Z");

        // When the due time is put
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, due);

        // Then it replaced the old one, as decimal text, and reads back
        assertThat(headers.headers(JobHeaders.DUE_AT)).hasSize(1);
        assertThat(new String(headers.lastHeader(JobHeaders.DUE_AT).value(), StandardCharsets.UTF_8))
                .isEqualTo(Long.toString(due.toEpochMilli()));
        assertThat(JobHeaders.instant(headers, JobHeaders.DUE_AT)).contains(due);
    }

    @Test
    void aMalformedOrMissingTimeIsEmpty() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(JobHeaders.instant(headers, JobHeaders.DUE_AT)).isEmpty();
        headers.add(JobHeaders.DUE_AT, "soon".getBytes(StandardCharsets.UTF_8));
        assertThat(JobHeaders.instant(headers, JobHeaders.DUE_AT)).isEmpty();
        assertThat(JobHeaders.text(null, JobHeaders.DUE_AT)).isEmpty();
    }

    @Test
    void encodesDeadLetterNumbersAsSpringKafkaDoes() {
        assertThat(ByteBuffer.wrap(JobHeaders.dltInt(7)).getInt()).isEqualTo(7);
        assertThat(JobHeaders.dltInt(7)).hasSize(4);
        assertThat(ByteBuffer.wrap(JobHeaders.dltLong(1L << 40)).getLong()).isEqualTo(1L << 40);
        assertThat(JobHeaders.dltLong(1)).hasSize(8);
    }
}
