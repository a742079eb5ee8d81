package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.Test;

class TrustedAvroTypesTest {

    @Test
    void trustsEveryNamedTypeOfAReaderSchemaAndNothingElse() {
        // Given a reader schema that names records, an enum and an array of records
        // When its types are trusted
        TrustedAvroTypes.trust(DeadLetter.getClassSchema());

        // Then decoding may load every class the schema names, nested ones included
        assertThat(TrustedAvroTypes.isTrusted(DeadLetter.class)).isTrue();
        assertThat(TrustedAvroTypes.isTrusted(JobFailure.class)).isTrue();
        assertThat(TrustedAvroTypes.isTrusted(FailureRecord.class)).isTrue();
        assertThat(TrustedAvroTypes.isTrusted(FailureReason.class)).isTrue();
        // but not an arbitrary class a hostile writer schema could name
        assertThat(TrustedAvroTypes.isTrusted(ConcurrentSkipListMap.class)).isFalse();
    }

    @Test
    void aGeneratedRecordDecodesOnceItsSchemaIsTrusted() throws Exception {
        // Given a job event in Avro single-object encoding
        JobEvent event = JobEvent.newBuilder()
                .setJobId("01JOBSTREAMTRUSTTEST000000")
                .setQueue("jobs")
                .setType("log")
                .setState(JobState.SUCCEEDED)
                .setAttempt(1)
                .setAt(java.time.Instant.ofEpochMilli(1_000))
                .build();
        ByteBuffer bytes = event.toByteBuffer();

        // When its reader schema is trusted and it is decoded with Avro's own decoder
        TrustedAvroTypes.trust(JobEvent.getClassSchema());

        // Then it reads back (Avro 1.12.2 refuses to load an untrusted generated class)
        assertThat(JobEvent.fromByteBuffer(bytes)).isEqualTo(event);
    }
}
