package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.TrustedAvroTypes;
import io.jobstream.schemas.Ulid;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    record Email(String to, Instant sendAfter) {}

    @Test
    void writesAnObjectPayloadAsJson() throws Exception {
        // Given an object payload with a java.time field
        Job job = Jobs.builder("send_email")
                .payload(new Email("a@example.com", NOW))
                .clock(CLOCK)
                .build();

        // Then the payload is compact JSON with ISO-8601 times
        JsonNode json = new ObjectMapper().readTree(bytes(job.getPayload()));
        assertThat(job.getContentType()).isEqualTo("application/json");
        assertThat(json.get("to").asText()).isEqualTo("a@example.com");
        assertThat(json.get("sendAfter").asText()).isEqualTo("2026-03-01T10:00:00.123Z");
    }

    @Test
    void keepsBytesWithTheirContentType() {
        Job job = Jobs.builder("import_csv")
                .payload("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8), "text/csv")
                .build();

        assertThat(job.getContentType()).isEqualTo("text/csv");
        assertThat(new String(bytes(job.getPayload()), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
        assertThat(Jobs.builder("raw").payload(new byte[] {1, 2}).build().getContentType())
                .isEqualTo("application/octet-stream");
    }

    @Test
    void encodesAnAvroRecordInSingleObjectEncoding() throws Exception {
        // Given an Avro SpecificRecord payload (passed as an Object, too)
        FailureRecord record = new FailureRecord(FailureReason.TIMEOUT, "took too long", NOW);

        // When built
        Job job = Jobs.builder("audit").payload((Object) record).build();

        // Then the payload decodes with the record's own decoder (Avro 1.12.2 loads only trusted classes)
        TrustedAvroTypes.trust(FailureRecord.getClassSchema());
        assertThat(job.getContentType()).isEqualTo("application/avro");
        assertThat(FailureRecord.getDecoder().decode(bytes(job.getPayload()))).isEqualTo(record);
    }

    @Test
    void checksJsonTextAndStoresItCompactly() {
        Job job = Jobs.builder("t").jsonPayload("{ \"a\" : [1, 2] }").build();

        assertThat(new String(bytes(job.getPayload()), StandardCharsets.UTF_8)).isEqualTo("{\"a\":[1,2]}");
        assertThatThrownBy(() -> Jobs.builder("t").jsonPayload("{oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void givesEachJobANewUlidUnlessAnIdIsSet() {
        Jobs.Builder builder = Jobs.builder("t");

        Job first = builder.build();
        Job second = builder.build();

        assertThat(Ulid.isValid(first.getId())).isTrue();
        assertThat(second.getId()).isGreaterThan(first.getId());
        assertThat(Jobs.builder("t").id("order-7").build().getId()).isEqualTo("order-7");
    }

    @Test
    void turnsDelayAndTtlIntoTimesFromTheClock() {
        // When a job is built with a delay and a ttl
        Job job = Jobs.builder("t")
                .clock(CLOCK)
                .delay(Duration.ofMinutes(5))
                .ttl(Duration.ofHours(1))
                .orderingKey("customer-42")
                .maxAttempts(7)
                .headers(Map.of("tenant", "acme"))
                .header("region", "eu")
                .traceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();

        // Then every field is set, times relative to the clock
        assertThat(job.getCreatedAt()).isEqualTo(NOW);
        assertThat(job.getNotBefore()).contains(NOW.plusSeconds(300));
        assertThat(job.getExpiresAt()).contains(NOW.plusSeconds(3600));
        assertThat(job.getOrderingKey()).contains("customer-42");
        assertThat(job.getMaxAttempts()).contains(7);
        assertThat(job.getAttempt()).isEqualTo(1);
        assertThat(job.getHeaders()).containsEntry("tenant", "acme").containsEntry("region", "eu");
        assertThat(job.getTraceParent()).isPresent();
    }

    @Test
    void aBuiltJobsHeadersAreReadOnlyAndTheBuilderCanBuildAgain() {
        // Given a builder with a header, and one without
        Jobs.Builder builder = Jobs.builder("t").clock(CLOCK).header("tenant", "acme");
        Job first = builder.build();
        Job bare = Jobs.builder("t").clock(CLOCK).build();

        // When the builder gets another header and builds again
        Job second = builder.header("region", "eu").build();

        // Then the first job kept its own copy, and no built job's headers can be changed behind the builder's back
        assertThat(first.getHeaders()).containsExactly(Map.entry("tenant", "acme"));
        assertThat(second.getHeaders()).containsExactly(Map.entry("tenant", "acme"), Map.entry("region", "eu"));
        assertThat(bare.getHeaders()).isEmpty();
        assertThatThrownBy(() -> first.getHeaders().put("tenant", "other"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> bare.getHeaders().put("tenant", "acme"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(first.getHeaders()).containsEntry("tenant", "acme");
    }

    @Test
    void theLastOfDelayAndNotBeforeWins() {
        Instant at = NOW.plusSeconds(60);

        assertThat(Jobs.builder("t")
                        .clock(CLOCK)
                        .delay(Duration.ofHours(1))
                        .notBefore(at)
                        .build()
                        .getNotBefore())
                .contains(at);
        assertThat(Jobs.builder("t")
                        .clock(CLOCK)
                        .notBefore(at)
                        .delay(Duration.ofSeconds(5))
                        .build()
                        .getNotBefore())
                .contains(NOW.plusSeconds(5));
        assertThat(Jobs.builder("t")
                        .clock(CLOCK)
                        .ttl(Duration.ofSeconds(5))
                        .expiresAt(at)
                        .build()
                        .getExpiresAt())
                .contains(at);
    }

    @Test
    void rejectsABlankTypeAndAJobThatExpiresBeforeItIsDue() {
        assertThatThrownBy(() -> Jobs.builder(" ").build())
                .isInstanceOfSatisfying(JobRejectedException.class, e -> assertThat(e.reason())
                        .isEqualTo(JobRejectedException.Reason.EMPTY_TYPE));
        assertThatThrownBy(() -> Jobs.builder("t")
                        .clock(CLOCK)
                        .delay(Duration.ofHours(2))
                        .ttl(Duration.ofHours(1))
                        .build())
                .isInstanceOfSatisfying(JobRejectedException.class, e -> assertThat(e.reason())
                        .isEqualTo(JobRejectedException.Reason.EXPIRES_BEFORE_DUE));
    }

    @Test
    void rejectsNonsenseArgumentsAtOnce() {
        Jobs.Builder builder = Jobs.builder("t");

        assertThatThrownBy(() -> builder.maxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> builder.delay(Duration.ofSeconds(-1))).hasMessageContaining("delay");
        assertThatThrownBy(() -> builder.ttl(Duration.ZERO)).hasMessageContaining("ttl");
        assertThatThrownBy(() -> builder.header(" ", "v")).hasMessageContaining("header");
        assertThatThrownBy(() -> builder.payload(new byte[0], " ")).hasMessageContaining("contentType");
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
