package io.jobstream.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DeadLetterCountTest {

    @Test
    void deadLettersWaitByTypeUntilReplayed() {
        // Given three dead letters of two types
        DeadLetterCount count = new DeadLetterCount();
        count.deadLetter(0, 0, "email");
        count.deadLetter(0, 1, "email");
        count.deadLetter(1, 0, "sms");
        assertThat(count.waiting()).isEqualTo(Map.of("email", 2L, "sms", 1L));
        // When one email is replayed, twice (a forced replay writes a second record under the same key)
        count.replayed(0, 1);
        count.replayed(0, 1);
        // Then one email waits
        assertThat(count.waiting()).isEqualTo(Map.of("email", 1L, "sms", 1L));
    }

    @Test
    void aReplayReadBeforeItsDeadLetterStillCountsIt() {
        // Given the replay record is read before the dead letter it names (two topics, no order between them)
        DeadLetterCount count = new DeadLetterCount();
        count.replayed(0, 5);
        // When the dead letter is read
        count.deadLetter(0, 5, "email");
        count.deadLetter(0, 6, "email");
        // Then only the other one waits
        assertThat(count.waiting()).isEqualTo(Map.of("email", 1L));
    }

    @Test
    void aTombstoneUnderAReplayKeyPutsTheDeadLetterBack() {
        DeadLetterCount count = new DeadLetterCount();
        count.deadLetter(0, 0, "email");
        count.replayed(0, 0);
        assertThat(count.waiting()).isEqualTo(Map.of("email", 0L));
        count.unreplayed(0, 0);
        assertThat(count.waiting()).isEqualTo(Map.of("email", 1L));
    }

    @Test
    void deadLettersDeletedByRetentionLeaveTheCountReplayedOnesOnlyOnce() {
        // Given four dead letters, one of them replayed
        DeadLetterCount count = new DeadLetterCount();
        for (long offset = 0; offset < 4; offset++) {
            count.deadLetter(0, offset, "email");
        }
        count.deadLetter(1, 0, "sms");
        count.replayed(0, 1);
        assertThat(count.waiting()).isEqualTo(Map.of("email", 3L, "sms", 1L));
        // When retention deletes partition 0 before offset 3
        count.logStart(0, 3);
        // Then the one email left waits, the replayed one is not subtracted twice, the other partition is untouched
        assertThat(count.waiting()).isEqualTo(Map.of("email", 1L, "sms", 1L));
        assertThat(count.retained()).isEqualTo(2);
        // And reading a deleted offset's replay record again changes nothing
        count.replayed(0, 1);
        assertThat(count.waiting()).isEqualTo(Map.of("email", 1L, "sms", 1L));
    }

    @Test
    void tierCountHoldsTheRecordsAtOrAfterTheCommittedOffset() {
        // Given a tier partition with records at offsets 0, 2 and 4 (markers at 1, 3 and 5)
        TopicPartition partition = new TopicPartition("jobs.delay.5s", 0);
        TierCount count = new TierCount();
        count.track(partition, "5s");
        count.track(new TopicPartition("jobs.delay.1m", 0), "1m");
        count.record(partition, 0);
        count.record(partition, 2);
        count.record(partition, 4);
        assertThat(count.waiting()).isEqualTo(Map.of("5s", 3L, "1m", 0L));
        // When the forwarder commits past the first two (its position after the marker at 3)
        count.commit(partition, 4);
        // Then one waits, and a record read late below the committed offset is not counted
        count.record(partition, 2);
        assertThat(count.waiting()).isEqualTo(Map.of("5s", 1L, "1m", 0L));
        assertThat(count.committed(partition)).hasValue(4);
    }
}
