package io.jobstream.dlq.lag.internal;

import io.jobstream.runtime.KafkaSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads when the oldest waiting record of a lagging partition was written: the timestamp of the first committed record
 * at or after a group's committed offset, with one {@code read_committed} consumer that belongs to no group (it
 * assigns and seeks, and never commits). One fetch per lagging partition and committed offset: the answer for an
 * offset is kept until that offset is no longer asked for, so a stopped group costs one fetch per partition, once.
 *
 * <p>Not thread-safe: owned by the lag monitor's sampling thread. Failure contract: a partition whose record cannot be
 * read in time (or has no timestamp) is left out of the answer, and the caller falls back to its estimate.
 */
public final class OldestWaitingRecords implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OldestWaitingRecords.class);
    private static final Duration POLL_STEP = Duration.ofMillis(200);

    /**
     * A partition a group lags on.
     *
     * @param partition the partition
     * @param committed the group's committed offset (the first record it has not consumed)
     * @param end the partition's last stable offset ({@code read_committed} end)
     */
    public record Lagging(TopicPartition partition, long committed, long end) {}

    private final Consumer<byte[], byte[]> consumer;
    private final Clock clock;
    /** Answers by (partition, committed offset): the record's time, or empty when no record waits before the end. */
    private final Map<Lagging, Optional<Instant>> known = new HashMap<>();

    public OldestWaitingRecords(Consumer<byte[], byte[]> consumer, Clock clock) {
        this.consumer = consumer;
        this.clock = clock;
    }

    /**
     * A reader with its own consumer: {@code read_committed}, no group, fetching little per partition (one record is
     * wanted).
     */
    public static OldestWaitingRecords create(KafkaSettings kafka, Clock clock) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "jobstream-lag-oldest-record");
        return new OldestWaitingRecords(
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()), clock);
    }

    /**
     * When the oldest waiting record of each of {@code lagging} was written, waiting at most {@code timeout} in all.
     * The answer maps a partition to the record's timestamp, or to empty when no committed record waits before the end
     * (only aborted records and transaction markers lie between); a partition not answered in time is absent.
     */
    public Map<Lagging, Optional<Instant>> read(Set<Lagging> lagging, Duration timeout) {
        known.keySet().retainAll(lagging);
        Map<Lagging, Optional<Instant>> answers = new HashMap<>();
        List<Lagging> toRead = new ArrayList<>();
        for (Lagging l : lagging) {
            Optional<Instant> answer = known.get(l);
            if (answer != null) {
                answers.put(l, answer);
            } else {
                toRead.add(l);
            }
        }
        long deadline = clock.millis() + timeout.toMillis();
        // one round per committed offset of a partition (several groups can lag on one partition)
        while (!toRead.isEmpty() && clock.millis() < deadline) {
            Map<TopicPartition, Lagging> round = new HashMap<>();
            List<Lagging> later = new ArrayList<>();
            for (Lagging l : toRead) {
                if (round.putIfAbsent(l.partition(), l) != null) {
                    later.add(l);
                }
            }
            readRound(round, deadline);
            round.values().forEach(l -> {
                Optional<Instant> answer = known.get(l);
                if (answer != null) {
                    answers.put(l, answer);
                }
            });
            toRead = later;
        }
        return answers;
    }

    private void readRound(Map<TopicPartition, Lagging> round, long deadline) {
        Map<TopicPartition, Lagging> waiting = new HashMap<>(round);
        try {
            consumer.assign(waiting.keySet());
            waiting.values().forEach(l -> consumer.seek(l.partition(), l.committed()));
            while (!waiting.isEmpty()) {
                long left = deadline - clock.millis();
                if (left <= 0) {
                    return;
                }
                ConsumerRecords<byte[], byte[]> records =
                        consumer.poll(Duration.ofMillis(Math.min(left, POLL_STEP.toMillis())));
                for (TopicPartition tp : records.partitions()) {
                    Lagging l = waiting.get(tp);
                    if (l == null) {
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                        if (record.offset() < l.committed()) {
                            continue;
                        }
                        if (record.offset() < l.end() && record.timestamp() >= 0) {
                            known.put(l, Optional.of(Instant.ofEpochMilli(record.timestamp())));
                        } else if (record.offset() >= l.end()) {
                            known.put(l, Optional.empty());
                        }
                        waiting.remove(tp);
                        break;
                    }
                }
                Set<TopicPartition> passedTheEnd = new HashSet<>();
                waiting.forEach((tp, l) -> {
                    if (consumer.position(tp) >= l.end()) {
                        passedTheEnd.add(tp); // only markers and aborted records before the end
                    }
                });
                passedTheEnd.forEach(tp -> known.put(waiting.remove(tp), Optional.empty()));
            }
        } catch (KafkaException e) {
            LOG.debug("oldest_record_read_failed partitions={} error={}", round.keySet(), e.toString());
        } finally {
            try {
                consumer.unsubscribe();
            } catch (KafkaException e) {
                LOG.debug("oldest_record_unassign_failed error={}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
