package io.jobstream.api.internal.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.schemas.JobState;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StatusSerdeTest {
    private final StatusSerde serde = new StatusSerde();

    @Test
    void aStatusReadsBackEqualWithAndWithoutItsOptionalFields() {
        // Given a full status and a sparse one
        StoredStatus full = new StoredStatus(
                "job-é-1",
                "emails",
                "send_email",
                JobState.SUCCEEDED,
                3,
                7_000,
                2,
                1,
                100L,
                7_000,
                "HANDLER_ERROR boom",
                5_000L,
                6,
                List.of(
                        new StoredStatus.StoredEvent(JobState.REPLAYED, 1, 5_000, null, null),
                        new StoredStatus.StoredEvent(JobState.SUCCEEDED, 1, 7_000, "worker-1", null)),
                3_607_000);
        StoredStatus sparse =
                new StoredStatus("job-2", "q", "t", JobState.STARTED, 1, 1, 0, 1, null, 1, null, null, 1, List.of(), 2);

        // Then each round-trips
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", full)))
                .isEqualTo(full);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", sparse)))
                .isEqualTo(sparse);
        assertThat(serde.serializer().serialize("t", null)).isNull();
    }

    @Test
    void foreignBytesAreASerializationException() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[] {'{', '}'}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("changelog");
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[] {1, 0}))
                .isInstanceOf(SerializationException.class);
    }
}
