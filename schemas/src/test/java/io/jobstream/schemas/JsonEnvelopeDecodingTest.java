package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobDecodeException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonEnvelopeDecodingTest {
    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");

    private final JobDecoder decoder =
            JobDecoder.create(SerdeConfig.singleObject(), null, Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void close() {
        decoder.close();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String payload(Job job) {
        return StandardCharsets.UTF_8.decode(job.getPayload().duplicate()).toString();
    }

    @Test
    void decodesTheKcatExample() {
        // Given the README's kcat line (kcat appends no newline with echo's output, but may; both work)
        byte[] value = utf8("{\"type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\"}}\n");

        // When the processor decodes it at jobs/0/42
        Job job = decoder.decode("jobs", 0, 42, new RecordHeaders(), value);

        // Then it is a first-attempt JSON job with a derived ULID id
        assertThat(job.getType()).isEqualTo("send_email");
        assertThat(payload(job)).isEqualTo("{\"to\":\"a@b.c\"}");
        assertThat(job.getContentType()).isEqualTo("application/json");
        assertThat(job.getAttempt()).isEqualTo(1);
        assertThat(job.getCreatedAt()).isEqualTo(NOW);
        assertThat(job.getOrderingKey()).isEmpty();
        assertThat(job.getMaxAttempts()).isEmpty();
        assertThat(job.getHeaders()).isEmpty();
        assertThat(job.getId()).isEqualTo(JobDecoder.derivedId("jobs", 0, 42));
        assertThat(Ulid.isValid(job.getId())).isTrue();
    }

    @Test
    void derivesTheSameIdForTheSameRecordAndDifferentIdsForOthers() {
        // Given the same envelope
        byte[] value = utf8("{\"type\":\"t\",\"payload\":null}");

        // When decoded twice at one offset and once at each of two other positions
        String first = decoder.decode("jobs", 1, 7, null, value).getId();
        String again = decoder.decode("jobs", 1, 7, null, value).getId();
        String otherOffset = decoder.decode("jobs", 1, 8, null, value).getId();
        String otherPartition = decoder.decode("jobs", 2, 7, null, value).getId();

        // Then the id depends on topic/partition/offset only
        assertThat(again).isEqualTo(first);
        assertThat(otherOffset).isNotEqualTo(first);
        assertThat(otherPartition).isNotEqualTo(first);
    }

    @Test
    void decodesEveryOptionalField() {
        // Given an envelope with every field
        byte[] value = utf8("""
                 {"type": "send_email", "payload": [1, "two", {"three": 3.0}], "id": "order-17",
                  "orderingKey": "customer-9", "maxAttempts": 7, "headers": {"tenant": "acme"},
                  "notBefore": "2026-12-01T10:00:00.123456Z", "expiresAt": 1796083200000,
                  "traceParent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
                """);

        // When it is decoded
        Job job = decoder.decode("jobs", 0, 0, null, value);

        // Then every field is carried, times truncated to milliseconds
        assertThat(job.getId()).isEqualTo("order-17");
        assertThat(payload(job)).isEqualTo("[1,\"two\",{\"three\":3.0}]");
        assertThat(job.getOrderingKey()).contains("customer-9");
        assertThat(job.getMaxAttempts()).contains(7);
        assertThat(job.getHeaders()).isEqualTo(Map.of("tenant", "acme"));
        assertThat(job.getNotBefore()).contains(Instant.parse("2026-12-01T10:00:00.123Z"));
        assertThat(job.getExpiresAt()).contains(Instant.ofEpochMilli(1796083200000L));
        assertThat(job.getTraceParent()).contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    @Test
    void takesTheCreationTimeFromTheRecordAndTheTraceParentFromItsHeader() {
        // Given a consumer record with a timestamp and a traceparent header
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobHeaders.TRACEPARENT, utf8("00-aaaa-bbbb-01"));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                "jobs",
                3,
                99,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                0,
                0,
                null,
                utf8("{\"type\":\"t\",\"payload\":{}}"),
                headers,
                Optional.empty());

        // When it is decoded
        Job job = decoder.decode(record);

        // Then createdAt is the record's timestamp and traceParent the header's
        assertThat(job.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(job.getTraceParent()).contains("00-aaaa-bbbb-01");
        assertThat(job.getId()).isEqualTo(JobDecoder.derivedId("jobs", 3, 99));
    }

    @Test
    void theKafkaDeserializerDerivesTheIdFromTopicAndBytes() {
        // Given the Kafka deserializer, which knows no offsets
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            byte[] one = utf8("{\"type\":\"t\",\"payload\":1}");
            byte[] two = utf8("{\"type\":\"t\",\"payload\":2}");

            // When it decodes envelopes without ids
            String a = serde.deserializer().deserialize("jobs", one).getId();
            String sameBytes = serde.deserializer().deserialize("jobs", one).getId();
            String otherBytes = serde.deserializer().deserialize("jobs", two).getId();
            String otherTopic = serde.deserializer().deserialize("other", one).getId();

            // Then equal bytes on one topic give equal ids, anything else differs
            assertThat(sameBytes).isEqualTo(a);
            assertThat(otherBytes).isNotEqualTo(a);
            assertThat(otherTopic).isNotEqualTo(a);
            assertThat(Ulid.isValid(a)).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"payload":{}}                                        | INVALID_FIELD
            {"type":"","payload":{}}                              | INVALID_FIELD
            {"type":7,"payload":{}}                               | INVALID_FIELD
            {"type":"t"}                                          | INVALID_FIELD
            {"type":"t","payload":{},"ordering_key":"x"}          | INVALID_FIELD
            {"type":"t","payload":{},"maxAttempts":0}             | INVALID_FIELD
            {"type":"t","payload":{},"maxAttempts":1.5}           | INVALID_FIELD
            {"type":"t","payload":{},"maxAttempts":"3"}           | INVALID_FIELD
            {"type":"t","payload":{},"headers":{"a":1}}           | INVALID_FIELD
            {"type":"t","payload":{},"headers":[]}                | INVALID_FIELD
            {"type":"t","payload":{},"notBefore":"tomorrow"}      | INVALID_FIELD
            {"type":"t","payload":{},"expiresAt":true}            | INVALID_FIELD
            {"type":"t","type":"u","payload":{}}                  | INVALID_FIELD
            {"type":"t","payload":{}} {"type":"u","payload":{}}   | INVALID_FIELD
            {"type":"t","payload":{}}x                            | INVALID_FIELD
            {"type":"t","payload":{"to":                          | TRUNCATED
            '   '                                                 | EMPTY
            '  [1,2]'                                             | INVALID_FIELD
            """)
    void rejectsABadEnvelopeWithAStableReason(String envelope, Reason reason) {
        // Given a malformed envelope / When decoded / Then the reason says what is wrong
        assertThatThrownBy(() -> decoder.decode("jobs", 0, 0, null, utf8(envelope)))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void aDeeplyNestedPayloadIsInvalidNotAStackOverflow() {
        // Given a payload nested 100,000 levels deep
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        byte[] value = utf8("{\"type\":\"t\",\"payload\":" + nested + "}");

        // When decoded / Then it is INVALID_FIELD (Jackson's nesting limit), not an Error
        assertThatThrownBy(() -> decoder.decode("jobs", 0, 0, null, value))
                .isInstanceOfSatisfying(
                        JobDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD));
    }
}
