package io.jobstream.api.internal.status;

import io.jobstream.api.ApiMeters;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each job event (key = job id) into the status store under {@code <queue>/<job id>} ({@link StatusKeys}: job ids
 * are per queue), and keeps an expiry index (key = expiry time, big-endian, then the store key) from which a wall-clock punctuation drops the jobs past their retention. Runs on a Kafka Streams
 * thread, one instance per task. An undecodable, misrouted or otherwise unusable event is counted, logged (the first
 * of each kind with its trace) and skipped; only a retriable decode error (schema registry down) fails the task, which
 * Streams then retries from the last commit.
 */
final class StatusFold implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(StatusFold.class);
    private static final AtomicLong UNDECODABLE = new AtomicLong();
    private static final AtomicLong MISROUTED = new AtomicLong();
    private static final AtomicLong LATE = new AtomicLong();
    private static final AtomicLong ERRORS = new AtomicLong();
    private static final byte[] PRESENT = new byte[0];
    /** The most jobs one purge drops, so a punctuation never holds the thread long. */
    private static final int PURGE_BATCH = 50_000;

    private final StatusTopology.Settings settings;
    private final JobSerde<JobEvent> events;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, StoredStatus> statuses;
    private KeyValueStore<Bytes, byte[]> expiry;

    StatusFold(StatusTopology.Settings settings) {
        this.settings = settings;
        this.events = JobSerde.forEvent(settings.serdes());
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.statuses = context.getStateStore(StatusTopology.STATUS_STORE);
        this.expiry = context.getStateStore(StatusTopology.EXPIRY_STORE);
        context.schedule(settings.purgeInterval(), PunctuationType.WALL_CLOCK_TIME, this::purge);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone (compaction of the events topic) carries no event
        }
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "unknown" : meta.topic();
        JobEvent event;
        try {
            event = events.decode(topic, record.headers(), record.value());
        } catch (JobDecodeException e) {
            if (e.isRetriable()) {
                throw e;
            }
            settings.metrics().undecodable();
            logFirst(UNDECODABLE, "undecodable job event", meta, e);
            return;
        }
        if (record.key() == null || !record.key().equals(event.getJobId())) {
            // Written under another key, the event sits in another job's partition: queries would never find it.
            settings.metrics().misrouted();
            logFirst(
                    MISROUTED, "job event keyed by something else than its job id job=" + event.getJobId(), meta, null);
            return;
        }
        if (!settings.queues().contains(String.valueOf(event.getQueue()))) {
            // Kept under a queue no lookup asks for, it would only take space; job ids are per queue.
            settings.metrics().misrouted();
            logFirst(MISROUTED, "job event of an untracked queue job=" + event.getJobId(), meta, null);
            return;
        }
        String key = StatusKeys.of(event.getQueue(), event.getJobId());
        StoredStatus current;
        StoredStatus.Folded folded;
        try {
            current = statuses.get(key);
            folded = StoredStatus.fold(current, event, settings.limits());
        } catch (RuntimeException e) {
            settings.metrics().error();
            logFirst(ERRORS, "job event could not be folded job=" + event.getJobId(), meta, e);
            return;
        }
        settings.metrics().folded(folded.outcome());
        if (folded.outcome() == StoredStatus.Outcome.DUPLICATE) {
            return;
        }
        if (folded.outcome() == StoredStatus.Outcome.LATE) {
            logFirst(
                    LATE,
                    "late job event kept in the history, state unchanged job=" + event.getJobId() + " event="
                            + event.getState() + "/" + event.getAttempt() + " state=" + current.state(),
                    meta,
                    null);
        }
        StoredStatus next = folded.status();
        statuses.put(key, next);
        if (current == null || current.expireAt() != next.expireAt()) {
            if (current != null) {
                expiry.delete(expiryKey(current.expireAt(), key));
            }
            expiry.put(expiryKey(next.expireAt(), key), PRESENT);
        }
        settings.metrics().delay(context.currentSystemTimeMs() - event.getAt().toEpochMilli());
    }

    /** Drops every job whose expiry has passed (at most {@link #PURGE_BATCH} per run). */
    void purge(long now) {
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = expiry.all()) {
            while (it.hasNext() && due.size() < PURGE_BATCH) {
                Bytes key = it.next().key;
                if (ByteBuffer.wrap(key.get()).getLong() > now) {
                    break;
                }
                due.add(key);
            }
        }
        int purged = 0;
        for (Bytes key : due) {
            expiry.delete(key);
            ByteBuffer buffer = ByteBuffer.wrap(key.get());
            long expireAt = buffer.getLong();
            String storeKey = StandardCharsets.UTF_8.decode(buffer).toString();
            StoredStatus status = statuses.get(storeKey);
            // An index entry whose job has moved on (a newer event set a later expiry) is only dropped itself.
            if (status != null && status.expireAt() == expireAt) {
                statuses.delete(storeKey);
                purged++;
            }
        }
        if (purged > 0) {
            settings.metrics().purged(purged);
            LOG.debug("job statuses purged count={}", purged);
        }
    }

    /** The expiry index key of store key {@code storeKey} ({@link StatusKeys}). */
    static Bytes expiryKey(long expireAt, String storeKey) {
        byte[] utf8 = storeKey.getBytes(StandardCharsets.UTF_8);
        // Expiry times are non-negative, so big-endian byte order is time order.
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + utf8.length)
                .putLong(Math.max(0, expireAt))
                .put(utf8)
                .array());
    }

    @Override
    public void close() {
        events.close();
    }

    private static void logFirst(AtomicLong seen, String what, RecordMetadata meta, Exception e) {
        long count = seen.incrementAndGet();
        String where = meta == null
                ? ""
                : " topic=" + meta.topic() + " partition=" + meta.partition() + " offset=" + meta.offset();
        if (count == 1) {
            if (e == null) {
                LOG.warn(
                        "{}{}; skipped (counted in {})",
                        what,
                        where,
                        ApiMeters.STATUS_EVENTS.spec().name());
            } else {
                LOG.warn(
                        "{}{}; skipped (counted in {})",
                        what,
                        where,
                        ApiMeters.STATUS_EVENTS.spec().name(),
                        e);
            }
        } else if (Long.bitCount(count) == 1) {
            LOG.warn("{}{} seen={}{}", what, where, count, e == null ? "" : " error=" + e.getMessage());
        }
    }
}
