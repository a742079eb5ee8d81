package io.jobstream.processor.internal;

import io.jobstream.schemas.RecordLimits;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's one way to write a record for a job (its failure, its deferred copy, its events): through the job's
 * partition's {@link WriteGate} (a revoked partition's jobs write nothing: dropped, counted in {@code
 * jobstream.writes.dropped}), then retried, the encoding too, with {@link Abandonment backoff} until the broker
 * acknowledges it. A record refused for good ({@link RecordLimits#isTerminalFor}, e.g. too large for its topic) is not
 * sent again; the caller decides what to write instead.
 *
 * <p>Owns the producer's use, not the producer (the processor closes it). Thread-safe: called on job threads (which
 * block in {@link #write} until the acknowledgement) and on the event sender thread ({@link #send}, which does not
 * wait). Nothing here throws but {@link #send}, which passes on what {@code Producer.send} throws. Write errors are
 * logged with the first one's trace, then counted; giving up ({@link Abandonment#abandon()}) ends every retry.
 */
final class AcknowledgedWriter {
    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final Abandonment abandonment;
    private final ProcessorMetrics metrics;
    private final AtomicLong writeErrors = new AtomicLong();
    private final AtomicLong refusedWrites = new AtomicLong();
    private final AtomicLong droppedWrites = new AtomicLong();

    AcknowledgedWriter(Producer<byte[], byte[]> producer, Abandonment abandonment, ProcessorMetrics metrics) {
        this.producer = producer;
        this.abandonment = abandonment;
        this.metrics = metrics;
    }

    /** How a {@link #write} ended. */
    sealed interface Write {
        /** The broker acknowledged it. */
        record Done() implements Write {}

        /** The runner gave up (closing), or the job's partition was revoked, first. */
        record GaveUp() implements Write {}

        /** Refused for good: writing the same record again can never succeed ({@link RecordLimits#isTerminalFor}). */
        record Refused(Throwable cause) implements Write {}
    }

    /**
     * Writes one record of {@code work}'s job to {@code topic}, retrying (the encoding too) with backoff until the
     * broker acknowledges it, the runner gives up, or a produce error is terminal for the record ({@link
     * Write.Refused}: it is never sent again).
     */
    Write write(Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers) {
        return attempt(work, topic, key, encode, headers, true);
    }

    /**
     * As {@link #write}, but a terminal produce error is retried like any other: for a record that is already as
     * small as it can be (a refusal of it means a misconfigured topic).
     */
    Write writeRetryingRefusals(Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers) {
        return attempt(work, topic, key, encode, headers, false);
    }

    /**
     * As {@link #write}; a record refused for good is dropped, logged and counted as written. False when the runner
     * gave up first.
     */
    boolean writeOrDrop(Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers) {
        return switch (write(work, topic, key, encode, headers)) {
            case Write.Done done -> true;
            case Write.GaveUp gaveUp -> false;
            case Write.Refused refused -> {
                refused(work, topic, refused.cause(), "dropped");
                yield true;
            }
        };
    }

    /**
     * Hands {@code record} to the producer without waiting; {@code callback} hears how it went. False (and the write
     * counted as dropped) when {@code work}'s partition was revoked: nothing was sent.
     */
    boolean send(Work work, ProducerRecord<byte[], byte[]> record, Callback callback) {
        Future<RecordMetadata> sent = work.progress().writes().pass(() -> producer.send(record, callback));
        if (sent == null) {
            dropped(work, record.topic());
            return false;
        }
        return true;
    }

    private Write attempt(
            Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers, boolean refusalEnds) {
        long backoff = Abandonment.MIN_BACKOFF_MS;
        while (!abandonment.isAbandoned()) {
            try {
                byte[] value = encode.get();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, value, headers);
                Future<RecordMetadata> sent = work.progress().writes().pass(() -> producer.send(record));
                if (sent == null) {
                    dropped(work, topic);
                    return new Write.GaveUp(); // the partition was revoked: its new owner runs the job again
                }
                while (true) {
                    try {
                        sent.get(250, TimeUnit.MILLISECONDS);
                        return new Write.Done();
                    } catch (TimeoutException | InterruptedException e) {
                        if (abandonment.isAbandoned()) {
                            return new Write.GaveUp();
                        }
                    }
                }
            } catch (ExecutionException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (refusalEnds && RecordLimits.isTerminalFor(cause)) {
                    return new Write.Refused(cause);
                }
                long n = writeErrors.incrementAndGet();
                if (n == 1) {
                    LOG.warn(
                            "write_failed topic={} partition={} offset={} retry_in_ms={}",
                            topic,
                            work.partition(),
                            work.offset(),
                            backoff,
                            cause);
                } else {
                    LOG.warn(
                            "write_failed topic={} partition={} offset={} retry_in_ms={} error={} count={}",
                            topic,
                            work.partition(),
                            work.offset(),
                            backoff,
                            cause,
                            n);
                }
                if (!abandonment.pause(backoff)) {
                    return new Write.GaveUp();
                }
                backoff = Abandonment.next(backoff);
            }
        }
        return new Write.GaveUp();
    }

    /** Logs a record refused for good, and what is done {@code instead} (the first with its trace, the rest counted). */
    void refused(Work work, String topic, Throwable cause, String instead) {
        long n = refusedWrites.incrementAndGet();
        if (n == 1) {
            LOG.warn(
                    "write_refused topic={} partition={} offset={} instead={} (first of its kind; later ones are"
                            + " counted)",
                    topic,
                    work.partition(),
                    work.offset(),
                    instead,
                    cause);
        } else {
            LOG.warn(
                    "write_refused topic={} partition={} offset={} instead={} error={} count={}",
                    topic,
                    work.partition(),
                    work.offset(),
                    instead,
                    cause,
                    n);
        }
    }

    /**
     * Counts (and logs the first of) the writes not made because the job's partition was revoked: another worker owns
     * it and runs the job again, so a failure, deferral or event from here would start a second lineage.
     */
    private void dropped(Work work, String topic) {
        metrics.writeDropped();
        long n = droppedWrites.incrementAndGet();
        if (n == 1) {
            LOG.warn(
                    "write_dropped reason=partition_revoked topic={} partition={} offset={} (first of its kind; later"
                            + " ones are counted in jobstream.writes.dropped)",
                    topic,
                    work.partition(),
                    work.offset());
        } else {
            LOG.debug(
                    "write_dropped reason=partition_revoked topic={} partition={} offset={} count={}",
                    topic,
                    work.partition(),
                    work.offset(),
                    n);
        }
    }
}
