package io.jobstream.dlq.delay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.TestJobs;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Trimming;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DelayForwarderTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final TopicPartition TIER_1S = new TopicPartition("emails.delay.1s", 0);
    private static final TopicPartition TIER_5S_P0 = new TopicPartition("emails.delay.5s", 0);
    private static final TopicPartition TIER_5S_P1 = new TopicPartition("emails.delay.5s", 1);

    private final ManualClock clock = new ManualClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MarkerConsumer consumer = new MarkerConsumer();
    private final RefusingProducer producer = new RefusingProducer();
    private DelayForwarder forwarder;

    @BeforeEach
    void start() {
        forwarder = new DelayForwarder(
                "emails",
                DelayTiers.defaults(),
                consumer,
                producer,
                clock,
                registry,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        forwarder.pollOnce(); // subscribes
        List<TopicPartition> partitions = List.of(TIER_1S, TIER_5S_P0, TIER_5S_P1);
        consumer.rebalance(partitions);
        Map<TopicPartition, Long> beginning = new HashMap<>();
        partitions.forEach(p -> beginning.put(p, 0L));
        consumer.updateBeginningOffsets(beginning);
    }

    @AfterEach
    void close() {
        forwarder.close(Duration.ofSeconds(5));
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(registry, List.of(DlqMeters.values())))
                .isEmpty();
    }

    private ConsumerRecord<byte[], byte[]> delayed(
            TopicPartition partition, long offset, Instant entered, Instant due) {
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, "job-" + offset);
        if (due != null) {
            JobHeaders.putInstant(headers, JobHeaders.DUE_AT, due);
        }
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                partition.topic(),
                partition.partition(),
                offset,
                entered.toEpochMilli(),
                TimestampType.CREATE_TIME,
                3,
                5,
                ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                ("value-" + offset).getBytes(StandardCharsets.UTF_8),
                headers,
                Optional.empty());
        consumer.addRecord(record);
        return record;
    }

    private List<Map<TopicPartition, OffsetAndMetadata>> committedOffsets() {
        return producer.consumerGroupOffsetsHistory().stream()
                .flatMap(byGroup -> byGroup.values().stream())
                .toList();
    }

    @Test
    void holdsAPartitionWhoseHeadIsNotDueAndHopsDownWhenItsTierIsOver() {
        // Given a job due in 60 s that entered the 5s tier now
        delayed(TIER_5S_P0, 0, T0, T0.plusSeconds(60));
        clock.advance(Duration.ofSeconds(1));
        // When the forwarder polls before the tier is over
        forwarder.pollOnce();
        // Then it forwards nothing, rewinds to the job and pauses the partition until the tier is over
        assertThat(producer.history()).isEmpty();
        assertThat(consumer.paused()).containsExactly(TIER_5S_P0);
        assertThat(consumer.position(TIER_5S_P0)).isZero();
        assertThat(forwarder.held()).containsEntry(TIER_5S_P0, T0.plusSeconds(5));
        // When the tier is over (the broker serves the record again from the rewound position)
        clock.set(T0.plusSeconds(5));
        ConsumerRecord<byte[], byte[]> record = delayed(TIER_5S_P0, 0, T0, T0.plusSeconds(60));
        forwarder.pollOnce();
        // Then the partition is resumed and the job hops to the 30s tier (55 s remain), key, value and headers intact
        assertThat(consumer.paused()).isEmpty();
        assertThat(producer.history()).singleElement().satisfies(sent -> {
            assertThat(sent.topic()).isEqualTo("emails.delay.30s");
            assertThat(sent.key()).isEqualTo(record.key());
            assertThat(sent.value()).isEqualTo(record.value());
            assertThat(sent.headers().toArray())
                    .containsExactly(record.headers().toArray());
            assertThat(sent.timestamp()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
        });
        // And its offset is committed in the same transaction
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(committedOffsets()).containsExactly(Map.of(TIER_5S_P0, new OffsetAndMetadata(1)));
    }

    @Test
    void forwardsADueJobToTheQueueAndRecordsItsLateness() {
        Instant due = T0.plusSeconds(1);
        delayed(TIER_1S, 0, T0, due);
        clock.set(due.plusMillis(200));
        forwarder.pollOnce();
        ProducerRecord<byte[], byte[]> sent = producer.history().getFirst();
        assertThat(sent.topic()).isEqualTo("emails");
        assertThat(JobHeaders.instant(sent.headers(), JobHeaders.DUE_AT)).contains(due);
        Timer lateness = registry.get(DlqMeters.DELAY_LATENESS.spec().name())
                .tag("queue", "emails")
                .timer();
        assertThat(lateness.count()).isEqualTo(1);
        assertThat(lateness.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(200.0);
    }

    @Test
    void neverDeliversBeforeTheDueTimeEvenWhenLessThanTheSmallestTierRemains() {
        // Given a job that entered the 5s tier due 5.4 s later
        Instant due = T0.plusMillis(5_400);
        delayed(TIER_5S_P0, 0, T0, due);
        clock.set(T0.plusSeconds(5));
        // When its tier is over, 400 ms early
        forwarder.pollOnce();
        // Then it moves to the smallest tier rather than to the queue
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails.delay.1s");
        // And there it is held until due, then delivered
        delayed(TIER_1S, 0, T0.plusSeconds(5), due);
        clock.set(T0.plusMillis(5_100));
        forwarder.pollOnce();
        assertThat(forwarder.held()).containsEntry(TIER_1S, due);
        clock.set(due);
        delayed(TIER_1S, 0, T0.plusSeconds(5), due);
        forwarder.pollOnce();
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails.delay.1s", "emails");
    }

    @Test
    void aRecordWithoutDueTimeIsDueWhenItsTierIsOver() {
        delayed(TIER_5S_P1, 0, T0, null);
        clock.set(T0.plusSeconds(5));
        forwarder.pollOnce();
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails");
    }

    @Test
    void aHeldHeadHoldsTheRecordsBehindItButNotOtherPartitions() {
        // Given partition 0 whose head is not due, with a due record behind it, and a due record on partition 1
        delayed(TIER_5S_P0, 0, T0, T0.plusSeconds(60));
        delayed(TIER_5S_P0, 1, T0.minusSeconds(10), T0.minusSeconds(5));
        delayed(TIER_5S_P1, 0, T0.minusSeconds(10), T0.minusSeconds(5));
        // When polled
        forwarder.pollOnce();
        // Then only partition 1's record is forwarded and committed
        assertThat(producer.history())
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("key-0");
        assertThat(committedOffsets()).containsExactly(Map.of(TIER_5S_P1, new OffsetAndMetadata(1)));
        assertThat(consumer.paused()).containsExactly(TIER_5S_P0);
        assertThat(consumer.position(TIER_5S_P0)).isZero();
    }

    @Test
    void aFailedTransactionIsAbortedAndTheBatchRetriedAfterTheBackoff() {
        // Given a broker that fails the next commit
        producer.commitTransactionException = new KafkaException("broker went away");
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        // When the due record is forwarded
        forwarder.pollOnce();
        // Then the transaction is aborted and the partition rewound and held for the retry backoff
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        assertThat(consumer.position(TIER_1S)).isZero();
        assertThat(forwarder.held()).containsEntry(TIER_1S, T0.plusSeconds(2));
        // When the broker is back and the backoff is over
        producer.commitTransactionException = null;
        clock.advance(Duration.ofSeconds(2));
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        forwarder.pollOnce();
        // Then the record is forwarded once
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails");
    }

    @Test
    void aFailedTransactionBesideEmptyPartitionsKeepsTheForwarderRunning() {
        // Given a consumer that reports the position of every partition it fetched, records or not (as Kafka's does),
        // and a broker that fails the next commit
        consumer.reportEveryPosition = true;
        producer.commitTransactionException = new KafkaException("broker went away");
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));

        // When the due record's transaction fails (the 5s tier partitions were fetched empty, at offset 0)
        forwarder.pollOnce();

        // Then the forwarder goes on: after the backoff the record is forwarded once, and the empty partitions'
        // positions are committed with it
        producer.commitTransactionException = null;
        clock.advance(Duration.ofSeconds(2));
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        forwarder.pollOnce();
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails");
        assertThat(committedOffsets())
                .containsExactly(Map.of(
                        TIER_1S, new OffsetAndMetadata(1),
                        TIER_5S_P0, new OffsetAndMetadata(0),
                        TIER_5S_P1, new OffsetAndMetadata(0)));
    }

    @Test
    void aFailedTransactionNeverRewindsAPartitionItForwardedNothingFrom() {
        // Given a 5s tier partition whose record at 4 an earlier instance forwarded (the group's position is 5)
        consumer.reportEveryPosition = true;
        delayed(TIER_5S_P0, 4, T0.minusSeconds(10), T0.minusSeconds(1));
        consumer.seek(TIER_5S_P0, 5);
        // and a broker that fails the next commit
        producer.commitTransactionException = new KafkaException("broker went away");
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));

        // When a transaction fails and the forwarder polls again after the backoff
        forwarder.pollOnce();
        producer.commitTransactionException = null;
        clock.advance(Duration.ofSeconds(2));
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        forwarder.pollOnce();

        // Then only the 1s tier's record is forwarded: the record at 4 is not forwarded a second time
        assertThat(producer.history())
                .extracting(sent -> new String(sent.key(), StandardCharsets.UTF_8))
                .containsExactly("key-0");
        assertThat(committedOffsets()).last().satisfies(committed -> assertThat(committed)
                .containsEntry(TIER_5S_P0, new OffsetAndMetadata(5)));
    }

    @Test
    void commitsThePositionPastATransactionMarkerWithTheForwards() {
        // Given a due record the failure router wrote in a transaction: the record at 0, its commit marker at 1
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        consumer.addInvisible(TIER_1S, 1);

        // When it is forwarded
        forwarder.pollOnce();

        // Then the transaction commits the position past the marker (2), not the record's offset + 1
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails");
        assertThat(committedOffsets()).containsExactly(Map.of(TIER_1S, new OffsetAndMetadata(2)));
    }

    @Test
    void commitsThePositionPastAMarkerThatArrivesAfterTheLastForward() {
        // Given a due record forwarded and committed at 1
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        forwarder.pollOnce();
        assertThat(committedOffsets()).containsExactly(Map.of(TIER_1S, new OffsetAndMetadata(1)));

        // When the next poll only moves past its transaction's marker (and an aborted record)
        consumer.addInvisible(TIER_1S, 2);
        forwarder.pollOnce();

        // Then a transaction without records commits the position (3); nothing more is forwarded
        assertThat(producer.history()).hasSize(1);
        assertThat(committedOffsets())
                .containsExactly(Map.of(TIER_1S, new OffsetAndMetadata(1)), Map.of(TIER_1S, new OffsetAndMetadata(3)));

        // And a poll that changes nothing commits nothing
        forwarder.pollOnce();
        assertThat(committedOffsets()).hasSize(2);
    }

    @Test
    void aHeldPartitionDoesNotCommitItsPosition() {
        // Given a head that is not due, behind a marker at 0
        consumer.addInvisible(TIER_5S_P0, 1);
        delayed(TIER_5S_P0, 1, T0, T0.plusSeconds(60));

        // When polled
        forwarder.pollOnce();

        // Then nothing is committed: the held record is still to be forwarded
        assertThat(forwarder.held()).containsKey(TIER_5S_P0);
        assertThat(committedOffsets()).isEmpty();
    }

    @Test
    void aFencedProducerStopsTheForwarder() {
        producer.commitTransactionException = new ProducerFencedException("another instance took over");
        delayed(TIER_1S, 0, T0.minusSeconds(2), T0.minusSeconds(1));
        assertThatThrownBy(forwarder::pollOnce).isInstanceOf(ProducerFencedException.class);
    }

    @Test
    void aRecordTheQueueRefusesForGoodIsWrittenTrimmedToFailedAndTheTierMovesOn() {
        // Given a queue that takes records up to 1 KiB, and two due jobs in the 1s tier: one of 4 KiB, one small
        producer.queueMaxBytes = 1024;
        JobSerde<Job> jobs = JobSerde.forJob(SerdeConfig.singleObject());
        Job large = Job.newBuilder(TestJobs.job("resize", 2))
                .setPayload(ByteBuffer.wrap(new byte[4096]))
                .build();
        Job small = TestJobs.job("resize", 2);
        delayedJob(TIER_1S, 0, jobs.encode(TIER_1S.topic(), large));
        delayedJob(TIER_1S, 1, jobs.encode(TIER_1S.topic(), small));

        // When the forwarder polls: the queue refuses the large job, so the transaction is aborted
        forwarder.pollOnce();
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        // and polls again (the partition was rewound, and is not held back by the retry backoff)
        delayedJob(TIER_1S, 0, jobs.encode(TIER_1S.topic(), large));
        delayedJob(TIER_1S, 1, jobs.encode(TIER_1S.topic(), small));
        forwarder.pollOnce();

        // Then the large job's record became a trimmed, non-retryable REJECTED failure in emails.failed
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("emails.failed", "emails");
        ProducerRecord<byte[], byte[]> failed = producer.history().getFirst();
        JobFailure failure = JobSerde.forFailure(SerdeConfig.singleObject())
                .decode("emails.failed", failed.headers(), failed.value());
        assertThat(failure.getReason()).isEqualTo(FailureReason.REJECTED);
        assertThat(failure.getRetryable()).isFalse();
        assertThat(failure.getSourceTopic()).isEqualTo(TIER_1S.topic());
        assertThat(failure.getSourceOffset()).isZero();
        assertThat(failure.getMessage()).contains("RecordTooLargeException").contains("emails.delay.1s/0/0");
        assertThat(failure.getJob()).hasValueSatisfying(job -> {
            assertThat(job.getId()).isEqualTo(large.getId());
            assertThat(job.getPayload().remaining()).isZero();
        });
        assertThat(Trimming.isTrimmed(failed.headers())).isTrue();
        assertThat(JobHeaders.text(failed.headers(), JobHeaders.FAILURE_REASON)).contains("REJECTED");
        assertThat(failed.key()).isEqualTo("key-0".getBytes(StandardCharsets.UTF_8));
        // And the small job was forwarded, both offsets committed in the same transaction
        assertThat(producer.history().get(1).value()).isEqualTo(jobs.encode(TIER_1S.topic(), small));
        assertThat(committedOffsets()).containsExactly(Map.of(TIER_1S, new OffsetAndMetadata(2)));
    }

    private void delayedJob(TopicPartition partition, long offset, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, T0.minusSeconds(1));
        consumer.addRecord(new ConsumerRecord<>(
                partition.topic(),
                partition.partition(),
                offset,
                T0.minusSeconds(2).toEpochMilli(),
                TimestampType.CREATE_TIME,
                5,
                value.length,
                ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                value,
                headers,
                Optional.empty()));
    }

    @Test
    void closingClosesTheConsumerAndProducerOnce() {
        assertThat(forwarder.close(Duration.ofSeconds(1))).isTrue();
        assertThat(forwarder.close(Duration.ofSeconds(1))).isTrue();
        assertThat(consumer.closed()).isTrue();
        assertThat(producer.closed()).isTrue();
    }

    /**
     * A MockProducer in front of a broker whose queue topic {@code emails} takes records up to {@link #queueMaxBytes}:
     * a larger record fails its send with {@link RecordTooLargeException} (as the broker answers), and, as Kafka's
     * transactional producer does, the transaction can then only be aborted.
     */
    private static final class RefusingProducer extends MockProducer<byte[], byte[]> {
        int queueMaxBytes = Integer.MAX_VALUE;
        private RecordTooLargeException refusal;

        RefusingProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (record.topic().equals("emails") && record.value().length > queueMaxBytes) {
                refusal = new RecordTooLargeException(
                        "The request included a message larger than the max message" + " size the server will accept.");
                if (callback != null) {
                    callback.onCompletion(null, refusal);
                }
                return CompletableFuture.failedFuture(refusal);
            }
            return super.send(record, callback);
        }

        @Override
        public void commitTransaction() {
            if (refusal != null) {
                throw new KafkaException(
                        "Cannot execute transactional method because we are in an error state", refusal);
            }
            super.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            refusal = null;
            super.abortTransaction();
        }
    }

    /**
     * A MockConsumer that skips offsets a {@code read_committed} consumer never returns (transaction markers, aborted
     * records) as the real one does: its position moves past them and the poll reports it in {@link
     * ConsumerRecords#nextOffsets()}, with or without records.
     */
    private static final class MarkerConsumer extends MockConsumer<byte[], byte[]> {
        private final Map<TopicPartition, NavigableSet<Long>> invisible = new HashMap<>();
        private final Map<TopicPartition, Long> logEnd = new HashMap<>();
        /** Whether a poll reports the position of every partition it fetched, with records or not. */
        boolean reportEveryPosition;

        MarkerConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<byte[], byte[]> record) {
            super.addRecord(record);
            logEnd.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
        }

        /** The next {@code count} offsets of {@code tp} (after the records added so far) are invisible. */
        synchronized void addInvisible(TopicPartition tp, int count) {
            NavigableSet<Long> offsets = invisible.computeIfAbsent(tp, p -> new TreeSet<>());
            long from = logEnd.getOrDefault(tp, 0L);
            for (long offset = from; offset < from + count; offset++) {
                offsets.add(offset);
            }
            logEnd.put(tp, from + count);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(records.nextOffsets());
            for (Map.Entry<TopicPartition, NavigableSet<Long>> entry : invisible.entrySet()) {
                TopicPartition tp = entry.getKey();
                if (!assignment().contains(tp) || paused().contains(tp)) {
                    continue;
                }
                long position = position(tp);
                entry.getValue().headSet(position, false).clear();
                long advanced = position;
                while (entry.getValue().remove(advanced)) {
                    advanced++;
                }
                if (advanced > position) {
                    seek(tp, advanced);
                    next.put(tp, new OffsetAndMetadata(advanced));
                }
            }
            if (reportEveryPosition) {
                for (TopicPartition tp : assignment()) {
                    if (!paused().contains(tp)) {
                        next.putIfAbsent(tp, new OffsetAndMetadata(position(tp)));
                    }
                }
            }
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
            records.partitions().forEach(tp -> byPartition.put(tp, records.records(tp)));
            return new ConsumerRecords<>(byPartition, next);
        }
    }
}
