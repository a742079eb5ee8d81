package io.jobstream.dlq.lag.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.lag.internal.OldestWaitingRecords.Lagging;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class OldestWaitingRecordsTest {
    private static final TopicPartition EMAILS_0 = new TopicPartition("emails", 0);
    private static final TopicPartition EMAILS_1 = new TopicPartition("emails", 1);
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final AtomicInteger polls = new AtomicInteger();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            polls.incrementAndGet();
            return super.poll(timeout);
        }
    };
    private final OldestWaitingRecords reader = new OldestWaitingRecords(consumer, Clock.systemUTC());

    private void serve(TopicPartition tp, long offset, Instant writtenAt) {
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                offset,
                writtenAt.toEpochMilli(),
                TimestampType.CREATE_TIME,
                0,
                0,
                new byte[0],
                new byte[0],
                new RecordHeaders(),
                Optional.empty())));
    }

    @Test
    void readsTheTimestampOfTheFirstRecordAtOrAfterTheCommittedOffset() {
        // Given partition 0 lagging from offset 10 (its record written at T0) and partition 1 from 3 (at T0 + 5 s)
        Lagging first = new Lagging(EMAILS_0, 10, 20);
        Lagging second = new Lagging(EMAILS_1, 3, 4);
        serve(EMAILS_0, 10, T0);
        serve(EMAILS_1, 3, T0.plusSeconds(5));

        // When read
        Map<Lagging, Optional<Instant>> oldest = reader.read(Set.of(first, second), TIMEOUT);

        // Then each partition's oldest waiting record's time is known
        assertThat(oldest).containsEntry(first, Optional.of(T0)).containsEntry(second, Optional.of(T0.plusSeconds(5)));
    }

    @Test
    void fetchesAnOffsetOnceWhileItIsStillAskedFor() {
        // Given a stopped group's partition read once
        Lagging stopped = new Lagging(EMAILS_0, 10, 20);
        serve(EMAILS_0, 10, T0);
        reader.read(Set.of(stopped), TIMEOUT);
        int pollsForTheFirstRead = polls.get();

        // When the next sample asks for the same committed offset
        Map<Lagging, Optional<Instant>> again = reader.read(Set.of(stopped), TIMEOUT);

        // Then it answers without fetching
        assertThat(again).containsEntry(stopped, Optional.of(T0));
        assertThat(polls).hasValue(pollsForTheFirstRead);
    }

    @Test
    void answersNothingWaitsWhenOnlyMarkersLieBeforeTheEnd() {
        // Given offsets 10..11 that a read_committed consumer skips (an aborted record, its marker): its position
        // moves to the end without a record
        Lagging aborted = new Lagging(EMAILS_0, 10, 12);
        consumer.schedulePollTask(() -> consumer.seek(EMAILS_0, 12));

        // When read, Then no record waits
        assertThat(reader.read(Set.of(aborted), TIMEOUT)).containsEntry(aborted, Optional.empty());
    }
}
