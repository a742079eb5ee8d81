package io.jobstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class RecordLimitsTest {

    @Test
    void aRecordRefusedItselfIsARefusalButASendFailedByAnEarlierRefusalIsNot() {
        // Given the refusal of one record, and the error a later send of the same transaction gets because of it
        RecordTooLargeException refused = new RecordTooLargeException("larger than the topic takes");
        KafkaException poisoned = new KafkaException("an earlier send of the transaction failed", refused);

        // Then only the record itself was refused; both are terminal for the transaction
        assertThat(RecordLimits.isRefusal(refused)).isTrue();
        assertThat(RecordLimits.isRefusal(poisoned)).isFalse();
        assertThat(RecordLimits.isTerminalFor(poisoned)).isTrue();
        assertThat(RecordLimits.isRefusal(new TimeoutException("slow"))).isFalse();
    }
}
