package io.jobstream.processor.internal;

import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Released;
import io.jobstream.processor.internal.Outcome.Succeeded;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the jobs' {@link JobEvent}s to {@code <queue>.events} at the processor's {@link EventLevel}: {@code STARTED}
 * without waiting (a refused one is only counted, {@code jobstream.events.errors}); {@code FAILED} and {@code EXPIRED}
 * acknowledged, on the failing job's thread, before its failure record; {@code SUCCEEDED} asynchronously: the job is
 * {@link Released} at once and its outcome follows from the send's callback once the broker acknowledged the event.
 *
 * <p>Threads: succeeded jobs' events, encoded on their job threads, are sent by one platform thread of its own ({@code
 * jobstream-<queue>-events}, started only when events are on): {@code KafkaProducer.send} from every job thread at
 * once contends on the producer's metadata and per-partition locks, which cost more than the sends (JFR: about half of
 * a job thread's time, docs/BENCHMARKS.md). A send that fails is retried with backoff through the {@link
 * AcknowledgedWriter} on a job thread of its own.
 *
 * <p>Failure contract: every job handed to {@link #succeeded} gets exactly one outcome after its {@code Released}:
 * {@code Succeeded} once acknowledged, {@code Abandoned} when its partition was revoked first or the runner gave up
 * ({@link #abandon()}, {@link #close()}) before. Nothing here throws to the caller.
 */
final class EventSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSender.class);
    /** Longest error summary in a FAILED event, in chars. */
    private static final int EVENT_ERROR_LIMIT = 500;

    private static final Succeeded SUCCEEDED = new Succeeded();
    private static final Released RELEASED = new Released();

    private final EventLevel level;
    private final String queue;
    private final String workerId;
    private final String topic;
    private final JobSerde<JobEvent> serde;
    private final AcknowledgedWriter writer;
    private final Abandonment abandonment;
    private final ThreadFactory jobThreads;
    private final Clock clock;
    private final ProcessorMetrics metrics;
    private final AtomicLong startedErrors = new AtomicLong();
    /** Succeeded jobs' encoded events, waiting for {@link #sender}. */
    private final LinkedTransferQueue<Pending> pending = new LinkedTransferQueue<>();

    private final Thread sender;

    /** A succeeded job's event, encoded on its job thread, waiting for the sender thread. */
    private record Pending(Work work, JobEvent event, byte[] key, byte[] value, Consumer<Completion> done) {}

    EventSender(
            ProcessorConfig config,
            AcknowledgedWriter writer,
            Abandonment abandonment,
            ThreadFactory jobThreads,
            Clock clock,
            ProcessorMetrics metrics) {
        this.level = config.events();
        this.queue = config.queue();
        this.workerId = config.workerId();
        this.topic = Topics.events(config.queue());
        this.serde = JobSerde.forEvent(config.serde()).fallingBackWhenRegistryUnavailable();
        this.writer = writer;
        this.abandonment = abandonment;
        this.jobThreads = jobThreads;
        this.clock = clock;
        this.metrics = metrics;
        this.sender = level == EventLevel.NONE
                ? null
                : Thread.ofPlatform()
                        .name("jobstream-" + queue + "-events")
                        .daemon(true)
                        .start(this::sendPending);
    }

    /** Whether events are written at all. */
    boolean enabled() {
        return level != EventLevel.NONE;
    }

    /** {@code <queue>.events}. */
    String topic() {
        return topic;
    }

    /** At level {@code ALL}, sends the job's {@code STARTED} event without waiting; a refused one is counted. */
    void started(Work work, Job job) {
        if (level != EventLevel.ALL) {
            return;
        }
        try {
            byte[] value = serde.encode(topic, event(job, JobState.STARTED, null));
            writer.send(work, new ProducerRecord<>(topic, null, key(job), value), (metadata, exception) -> {
                if (exception != null) {
                    startedFailed(exception);
                }
            });
        } catch (RuntimeException e) {
            startedFailed(e);
        }
    }

    /**
     * A succeeded job's outcome: {@code SUCCEEDED} at once when events are off; else null: {@code done} receives
     * {@link Released} at once (the job's slot and lane are free: waiting for the broker must not cap throughput at
     * concurrency / round trip) and {@code SUCCEEDED} when the broker acknowledged the job's event.
     */
    Outcome succeeded(Work work, Job job, Consumer<Completion> done) {
        if (level == EventLevel.NONE) {
            return SUCCEEDED;
        }
        // stamped before the lane is free: the next job of its key starts after this one's SUCCEEDED, also on the
        // record
        JobEvent succeeded = event(job, JobState.SUCCEEDED, null);
        done.accept(new Completion(work, RELEASED));
        byte[] value;
        try {
            value = serde.encode(topic, succeeded);
        } catch (RuntimeException e) {
            value = null; // encoded again, with retries, below
        }
        if (value != null && !abandonment.isAbandoned()) {
            pending.add(new Pending(work, succeeded, key(job), value, done));
            if (abandonment.isAbandoned()) {
                abandon(); // raced with close: the sender may have drained already
            }
            return null;
        }
        writeSucceeded(work, succeeded, done);
        return null;
    }

    /**
     * Writes the {@code FAILED} (or, for {@code EXPIRED}, {@code EXPIRED}) event of a failing job and waits for the
     * broker's acknowledgement; true at once when events are off or there is no job (an undecodable record); false
     * when the runner gave up first.
     */
    boolean failed(Work work, Job job, FailureReason reason, Throwable error, String message) {
        if (job == null || level == EventLevel.NONE) {
            return true;
        }
        JobState state = reason == FailureReason.EXPIRED ? JobState.EXPIRED : JobState.FAILED;
        String summary = reason + (error == null ? "" : " " + error.getClass().getName()) + ": " + message;
        JobEvent event = event(job, state, summary);
        return writer.writeOrDrop(work, topic, key(job), () -> serde.encode(topic, event), new RecordHeaders());
    }

    /** Ends every event still waiting for the sender thread ({@code Abandoned}): the runner is giving up. */
    void abandon() {
        for (Pending event = pending.poll(); event != null; event = pending.poll()) {
            event.done()
                    .accept(new Completion(
                            event.work(), new Abandoned("the processor closed before the job's event was sent"), true));
        }
    }

    /** Stops the sender thread and abandons what waits for it; the producer is the processor's to close. */
    @Override
    public void close() {
        if (sender != null) {
            sender.interrupt();
        }
        abandon();
        serde.close();
    }

    private void sendPending() {
        try {
            while (!abandonment.isAbandoned()) {
                Pending event = pending.poll(100, TimeUnit.MILLISECONDS);
                while (event != null) {
                    send(event);
                    event = pending.poll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("event_sender_failed error={}", t.toString(), t);
        } finally {
            abandon();
        }
    }

    private void send(Pending event) {
        try {
            boolean sent = writer.send(
                    event.work(),
                    new ProducerRecord<>(topic, null, event.key(), event.value()),
                    (metadata, exception) -> {
                        if (exception == null) {
                            event.done().accept(new Completion(event.work(), SUCCEEDED, true));
                        } else {
                            retryAside(event);
                        }
                    });
            if (!sent) {
                event.done()
                        .accept(new Completion(
                                event.work(),
                                new Abandoned("the job's partition was revoked before its event was sent"),
                                true));
            }
        } catch (RuntimeException e) {
            LOG.debug("event_send_failed topic={} error={}", topic, e.toString());
            retryAside(event);
        }
    }

    /** Writes a succeeded job's event with retries on a job thread of its own: the sender thread never waits. */
    private void retryAside(Pending event) {
        jobThreads
                .newThread(() -> writeSucceeded(event.work(), event.event(), event.done()))
                .start();
    }

    private void writeSucceeded(Work work, JobEvent event, Consumer<Completion> done) {
        byte[] key = event.getJobId().getBytes(StandardCharsets.UTF_8);
        boolean written = writer.writeOrDrop(work, topic, key, () -> serde.encode(topic, event), new RecordHeaders());
        done.accept(new Completion(
                work,
                written ? SUCCEEDED : new Abandoned("the processor closed before the job's event was acknowledged"),
                true));
    }

    private void startedFailed(Exception e) {
        metrics.eventError();
        if (startedErrors.incrementAndGet() == 1) {
            LOG.warn(
                    "event_write_failed topic={} state=STARTED error={} (first of its kind; later ones are counted in"
                            + " jobstream.events.errors)",
                    topic,
                    e.toString());
        }
    }

    private JobEvent event(Job job, JobState state, String error) {
        return JobEvent.newBuilder()
                .setJobId(job.getId())
                .setQueue(queue)
                .setType(job.getType())
                .setState(state)
                .setAttempt(job.getAttempt())
                .setAt(clock.instant())
                .setWorkerId(workerId)
                .setError(error == null ? null : oneLine(error))
                .build();
    }

    private static byte[] key(Job job) {
        return job.getId().getBytes(StandardCharsets.UTF_8);
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= EVENT_ERROR_LIMIT ? line : line.substring(0, EVENT_ERROR_LIMIT);
    }
}
