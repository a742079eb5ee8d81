package io.jobstream.processor.internal;

import io.jobstream.coordination.Coordination;
import io.jobstream.processor.BatchItem;
import io.jobstream.processor.BatchResult;
import io.jobstream.processor.CoordinationRules;
import io.jobstream.processor.EventLevel;
import io.jobstream.processor.JobContext;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Deferred;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.processor.internal.Outcome.HandlerExited;
import io.jobstream.processor.internal.Outcome.Released;
import io.jobstream.processor.internal.Outcome.Skipped;
import io.jobstream.processor.internal.Outcome.Succeeded;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one fetched record to its {@link Outcome} on a virtual thread of its own: decode the job, check expiry and the
 * handler, wait for the type's in-flight limit, run the handler under its timeout, and on failure write a {@link
 * JobFailure} to {@code <queue>.failed}, retrying with backoff until the broker acknowledges it; a failure refused for
 * good (too large for the topic) is written {@linkplain Trimming trimmed} instead, never retried. The outcome is handed
 * to the poll thread through the callback given to {@link #start(Work, Consumer)}, exactly once per record; a handler
 * that returns after its timeout fired changes nothing but then hands back {@link HandlerExited}: the job's ordering
 * lane is held until its handler really returned, so the next job of its key never runs beside it.
 *
 * <p>Thread-safe. Nothing here throws to the caller: a bad record becomes a failure, a fault inside Jobstream an
 * {@link Abandoned} outcome (logged). {@link #abandon()} (the processor's close budget ran out) cancels every running
 * handler and stops retrying failure writes; those records end {@link Abandoned}, never committed.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Longest message or stack trace kept in a failure record, in chars. */
    private static final int TEXT_LIMIT = 8 * 1024;
    /** Longest record key kept on a trimmed failure, in bytes; a longer one is left out (the record is keyless). */
    private static final int TRIMMED_KEY_LIMIT = 16 * 1024;

    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Tries of a decode that finds the schema registry unavailable before the record is failed as such. */
    private static final int DECODE_TRIES = 3;

    private static final Succeeded SUCCEEDED = new Succeeded();
    private static final Skipped SKIPPED = new Skipped();
    private static final Released RELEASED = new Released();
    private static final HandlerExited HANDLER_EXITED = new HandlerExited();
    /** Longest error summary in a FAILED event, in chars. */
    private static final int EVENT_ERROR_LIMIT = 500;
    /** The two bytes that open Avro single-object encoding. */
    private static final byte SINGLE_OBJECT_MARKER_0 = (byte) 0xC3;

    private static final byte SINGLE_OBJECT_MARKER_1 = 0x01;

    private final ProcessorConfig config;
    private final Map<String, HandlerRegistration<?>> handlers;
    private final Map<String, Batcher<?>> batchers = new HashMap<>();
    private final JobDecoder decoder;
    private final JobSerde<JobFailure> failureSerde;
    private final JobSerde<Job> jobSerde;
    private final JobSerde<JobEvent> eventSerde;
    private final Producer<byte[], byte[]> producer;
    private final String failedTopic;
    private final String eventsTopic;
    private final String deferTopic;
    private final Map<String, CoordinationRules> rules;
    private final Guards guards;
    private final Clock clock;
    private final ProcessorMetrics metrics;
    private final Map<String, Semaphore> typeLimits = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final ThreadFactory threads;
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final Map<FailureReason, AtomicLong> failuresSeen = new EnumMap<>(FailureReason.class);
    private final AtomicLong writeErrors = new AtomicLong();
    private final AtomicLong refusedWrites = new AtomicLong();
    private final AtomicLong startedEventErrors = new AtomicLong();
    private final AtomicLong droppedWrites = new AtomicLong();
    /** Succeeded jobs' encoded events, handed to {@link #eventSender} (null when events are off). */
    private final LinkedTransferQueue<PendingEvent> events = new LinkedTransferQueue<>();

    private final Thread eventSender;
    private volatile boolean abandoned;

    /** A succeeded job's event, encoded on its job thread, waiting for the sender thread. */
    private record PendingEvent(
            Work work, Job job, JobEvent succeeded, byte[] key, byte[] value, Consumer<Completion> done) {}

    public JobRunner(
            ProcessorConfig config,
            Map<String, HandlerRegistration<?>> handlers,
            JobDecoder decoder,
            JobSerde<JobFailure> failureSerde,
            Producer<byte[], byte[]> producer,
            Clock clock,
            ProcessorMetrics metrics) {
        this(config, handlers, Map.of(), decoder, failureSerde, producer, clock, metrics);
    }

    /** A runner with batch handlers too: jobs of their types are collected into batches (see {@link Batcher}). */
    public JobRunner(
            ProcessorConfig config,
            Map<String, HandlerRegistration<?>> handlers,
            Map<String, BatchRegistration<?>> batchHandlers,
            JobDecoder decoder,
            JobSerde<JobFailure> failureSerde,
            Producer<byte[], byte[]> producer,
            Clock clock,
            ProcessorMetrics metrics) {
        this(config, handlers, batchHandlers, Map.of(), null, decoder, failureSerde, producer, clock, metrics);
    }

    /**
     * A runner whose jobs of the types in {@code rules} first take what their rules ask through {@code guards}.
     *
     * @throws IllegalArgumentException when a batch type has rules, or rules exist and {@code guards} is null
     */
    public JobRunner(
            ProcessorConfig config,
            Map<String, HandlerRegistration<?>> handlers,
            Map<String, BatchRegistration<?>> batchHandlers,
            Map<String, CoordinationRules> rules,
            Guards guards,
            JobDecoder decoder,
            JobSerde<JobFailure> failureSerde,
            Producer<byte[], byte[]> producer,
            Clock clock,
            ProcessorMetrics metrics) {
        Map<String, CoordinationRules> effective = new HashMap<>();
        rules.forEach((type, rule) -> {
            if (!rule.isEmpty()) {
                if (batchHandlers.containsKey(type)) {
                    throw new IllegalArgumentException("job type '" + type + "' has a batch handler: batch types"
                            + " cannot have coordination rules (locks, semaphores, rates, idempotency)");
                }
                effective.put(type, rule);
            }
        });
        if (!effective.isEmpty() && guards == null) {
            throw new IllegalArgumentException("job types " + effective.keySet() + " have coordination rules but the"
                    + " processor has no Coordination");
        }
        this.rules = Map.copyOf(effective);
        this.guards = guards;
        this.config = config;
        this.handlers = Map.copyOf(handlers);
        batchHandlers.forEach((type, registration) -> {
            if (this.handlers.containsKey(type)) {
                throw new IllegalArgumentException("job type '" + type + "' has both a handler and a batch handler");
            }
            batchers.put(type, new Batcher<>(registration));
        });
        this.decoder = decoder;
        this.failureSerde = failureSerde;
        this.jobSerde = JobSerde.forJob(config.serde()).fallingBackWhenRegistryUnavailable();
        this.eventSerde = JobSerde.forEvent(config.serde()).fallingBackWhenRegistryUnavailable();
        this.producer = producer;
        this.failedTopic = Topics.failed(config.queue());
        this.eventsTopic = Topics.events(config.queue());
        Duration deferTier = config.delayTiers()
                .tierFor(config.deferDelay())
                .orElse(config.delayTiers().smallest());
        this.deferTopic = Topics.delay(config.queue(), deferTier);
        this.clock = clock;
        this.metrics = metrics;
        config.typeConcurrency().forEach((type, limit) -> typeLimits.put(type, new Semaphore(limit, true)));
        for (FailureReason reason : FailureReason.values()) {
            failuresSeen.put(reason, new AtomicLong());
        }
        ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform()
                        .name("jobstream-" + config.queue() + "-timeouts")
                        .daemon(true)
                        .factory());
        this.timer = timeouts;
        // One sweep over the running jobs instead of a scheduled task per job: scheduling and cancelling a task per
        // job costs a lock (shared by every job thread) and a heap update each; a sweep costs one pass over at most
        // `concurrency` runs per period. A timeout fires at most one period late, never early.
        long periodNanos = sweepPeriod(config).toNanos();
        timeouts.scheduleAtFixedRate(this::sweepTimeouts, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        // One name for all job threads: a numbered name is a string built per job, on the poll thread.
        this.threads =
                Thread.ofVirtual().name("jobstream-" + config.queue() + "-job").factory();
        // Succeeded jobs' events are sent by one thread: KafkaProducer.send from every job thread at once contends on
        // the producer's metadata and per-partition locks, which cost more than the sends (JFR: about half of a job
        // thread's time, docs/BENCHMARKS.md); encoding stays on the job threads.
        this.eventSender = config.events() == EventLevel.NONE
                ? null
                : Thread.ofPlatform()
                        .name("jobstream-" + config.queue() + "-events")
                        .daemon(true)
                        .start(this::sendEvents);
    }

    private void sendEvents() {
        try {
            while (!abandoned) {
                PendingEvent event = events.poll(100, TimeUnit.MILLISECONDS);
                while (event != null) {
                    sendEvent(event);
                    event = events.poll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("event_sender_failed error={}", t.toString(), t);
        } finally {
            abandonEvents();
        }
    }

    private void sendEvent(PendingEvent event) {
        try {
            Future<RecordMetadata> sent = event.work()
                    .progress()
                    .writes()
                    .pass(() -> producer.send(
                            new ProducerRecord<>(eventsTopic, null, event.key(), event.value()),
                            (metadata, exception) -> {
                                if (exception == null) {
                                    event.done().accept(new Completion(event.work(), SUCCEEDED, true));
                                } else {
                                    threads.newThread(() -> writeSucceededEvent(
                                                    event.work(), event.job(), event.succeeded(), event.done()))
                                            .start();
                                }
                            }));
            if (sent == null) {
                writeDropped(event.work(), eventsTopic);
                event.done()
                        .accept(new Completion(
                                event.work(),
                                new Abandoned("the job's partition was revoked before its event was sent"),
                                true));
            }
        } catch (RuntimeException e) {
            LOG.debug("event_send_failed topic={} error={}", eventsTopic, e.toString());
            threads.newThread(() -> writeSucceededEvent(event.work(), event.job(), event.succeeded(), event.done()))
                    .start();
        }
    }

    /** Ends every event still waiting for the sender: the processor is closing. */
    private void abandonEvents() {
        for (PendingEvent event = events.poll(); event != null; event = events.poll()) {
            event.done()
                    .accept(new Completion(
                            event.work(), new Abandoned("the processor closed before the job's event was sent"), true));
        }
    }

    /**
     * The topics this runner writes to: {@code <queue>.failed}, {@code <queue>.events} when events are on, and the
     * deferral tier when a type has coordination rules.
     */
    public List<String> outputTopics() {
        List<String> topics = new ArrayList<>();
        topics.add(failedTopic);
        if (config.events() != EventLevel.NONE) {
            topics.add(eventsTopic);
        }
        if (!rules.isEmpty()) {
            topics.add(deferTopic);
        }
        return List.copyOf(topics);
    }

    /** How often running jobs are checked against their deadlines: a tenth of the shortest timeout, 5 to 50 ms. */
    static Duration sweepPeriod(ProcessorConfig config) {
        Duration shortest = config.jobTimeout();
        for (Duration timeout : config.typeTimeouts().values()) {
            if (timeout.compareTo(shortest) < 0) {
                shortest = timeout;
            }
        }
        long millis = Math.clamp(shortest.toMillis() / 10, 5L, 50L);
        return Duration.ofMillis(millis);
    }

    private void sweepTimeouts() {
        try {
            long now = System.nanoTime();
            for (Run run : running) {
                if (now - run.deadlineNanos >= 0) {
                    if (run.batch == null) {
                        running.remove(run);
                        timeOut(run, run.timeout);
                    } else {
                        // decide every item of the batch before interrupting its thread: an item decided after the
                        // interrupt could be reported succeeded by a handler that returns on the interrupt
                        List<Run> decided = new ArrayList<>(run.batch.size());
                        for (Run item : run.batch) {
                            running.remove(item);
                            if (item.decide()) {
                                decided.add(item);
                            }
                        }
                        decided.forEach(item -> item.cancelled = true); // all of them cancelled before interrupting
                        decided.forEach(item -> timedOut(item, item.timeout));
                    }
                }
            }
        } catch (Throwable t) {
            // never let a fault end the periodic sweep: later timeouts must still fire
            LOG.error("timeout_sweep_failed error={}", t.toString(), t);
        }
    }

    /** Runs {@code work} on a new virtual thread; {@code done} receives its outcome exactly once. */
    public void start(Work work, Consumer<Completion> done) {
        Job decoded = decodeOnCaller(work.record());
        threads.newThread(() -> runSafely(work, decoded, done)).start();
    }

    /**
     * Decodes a single-object encoded job on the calling (poll) thread, where the decoder's per-thread scratch buffers
     * are reused: on a fresh virtual thread per job they would be allocated for every job. Single-object decoding
     * never calls the schema registry, so it cannot block; anything else, and any failure, returns null and is left
     * to the job's own thread, which decodes again and reports the failure as before.
     */
    private Job decodeOnCaller(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null
                || value.length < 2
                || value[0] != SINGLE_OBJECT_MARKER_0
                || value[1] != SINGLE_OBJECT_MARKER_1) {
            return null;
        }
        try {
            return decoder.decode(record);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Gives up on every running job: cancels and interrupts the handlers (each ends {@link Abandoned}) and stops
     * retrying failure writes and decodes.
     */
    public void abandon() {
        abandoned = true;
        abandonEvents();
        for (Batcher<?> batcher : batchers.values()) {
            for (Pending pending : batcher.takeAll()) {
                pending.releasePermit();
                pending.done.accept(
                        new Completion(pending.work, new Abandoned("the processor closed before the batch started")));
            }
        }
        for (Run run : running) {
            if (run.decide()) {
                run.cancel();
                run.releasePermit();
                run.done.accept(new Completion(run.work, new Abandoned("the processor closed before the job ended")));
            }
        }
    }

    @Override
    public void close() {
        abandoned = true; // the producer closes with the runner: no write may go on retrying
        timer.shutdownNow();
        if (eventSender != null) {
            eventSender.interrupt();
        }
        abandonEvents();
        decoder.close();
        failureSerde.close();
        jobSerde.close();
        eventSerde.close();
    }

    private void runSafely(Work work, Job decoded, Consumer<Completion> done) {
        Outcome outcome;
        try {
            outcome = execute(work, decoded, done);
        } catch (Throwable t) {
            LOG.error(
                    "job_abandoned partition={} offset={} reason=internal_error error={}",
                    work.partition(),
                    work.offset(),
                    t.toString(),
                    t);
            outcome = new Abandoned("internal error: " + t);
        }
        if (outcome != null) {
            done.accept(new Completion(work, outcome));
        }
    }

    private Outcome execute(Work work, Job decoded, Consumer<Completion> done) {
        Job job;
        try {
            job = decoded != null ? decoded : decode(work.record());
        } catch (RuntimeException e) {
            // a registry still unavailable after a few tries in place is REGISTRY_UNAVAILABLE, retried with the raw
            // bytes through the delay tiers (the partition goes on meanwhile); a writer schema that cannot be found
            // (unknown registry id or fingerprint, no registry configured) is UNKNOWN_SCHEMA; any other undecodable
            // record DECODE_ERROR; neither of those is retried
            JobDecodeException.Reason cause = e instanceof JobDecodeException d ? d.reason() : null;
            FailureReason reason =
                    switch (cause) {
                        case REGISTRY_UNAVAILABLE -> FailureReason.REGISTRY_UNAVAILABLE;
                        case UNKNOWN_SCHEMA -> FailureReason.UNKNOWN_SCHEMA;
                        case null, default -> FailureReason.DECODE_ERROR;
                    };
            return fail(
                    work,
                    null,
                    ProcessorMetrics.UNKNOWN_TYPE,
                    reason,
                    e,
                    e.getMessage(),
                    reason == FailureReason.REGISTRY_UNAVAILABLE);
        }
        if (job == null) {
            return new Abandoned("the schema registry was unavailable until the processor closed");
        }
        HandlerRegistration<?> handler = handlers.get(job.getType());
        Batcher<?> batcher = handler == null ? batchers.get(job.getType()) : null;
        String typeTag = handler == null && batcher == null ? ProcessorMetrics.UNKNOWN_TYPE : job.getType();
        Optional<Instant> expiresAt = job.getExpiresAt();
        if (expiresAt.isPresent() && !clock.instant().isBefore(expiresAt.get())) {
            return fail(work, job, typeTag, FailureReason.EXPIRED, null, "expired at " + expiresAt.get(), false);
        }
        Optional<Instant> notBefore = job.getNotBefore();
        if (notBefore.isPresent() && clock.instant().isBefore(notBefore.get())) {
            // A job written straight to the queue (any producer: notBefore in a JSON envelope) that is not due yet
            // waits in the delay tiers like one the publisher delayed: it never runs early.
            return deferUntil(work, job, notBefore.get(), "not_before", "not before " + notBefore.get());
        }
        if (batcher != null) {
            return enqueue(work, job, batcher, done);
        }
        if (handler == null) {
            return fail(
                    work,
                    job,
                    typeTag,
                    FailureReason.UNKNOWN_TYPE,
                    null,
                    "no handler for job type '" + job.getType() + "'; this worker handles " + handlers.keySet(),
                    false);
        }
        return runHandler(work, job, handler, done);
    }

    /** The record's {@link JobHeaders#DECODE_ATTEMPT}: 1 for a record never retried, never less than 1. */
    static int decodeAttempt(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Math.max(
                    1,
                    JobHeaders.text(record.headers(), JobHeaders.DECODE_ATTEMPT)
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .orElse(1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * Decodes the job, trying a registry that is unavailable {@link #DECODE_TRIES} times in place (a blip costs a
     * moment, not a trip through the delay tiers) before the failure goes to {@code .failed}; null when the processor
     * closed meanwhile.
     */
    private Job decode(ConsumerRecord<byte[], byte[]> record) {
        long backoff = MIN_BACKOFF_MS;
        int tries = 0;
        while (true) {
            try {
                return decoder.decode(record);
            } catch (JobDecodeException e) {
                if (!e.isRetriable() || ++tries >= DECODE_TRIES) {
                    throw e;
                }
                LOG.warn(
                        "job_decode_retry partition={} offset={} error={}",
                        record.partition(),
                        record.offset(),
                        e.getMessage());
                if (abandoned || !pause(backoff)) {
                    return null;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private Outcome runHandler(Work work, Job job, HandlerRegistration<?> handler, Consumer<Completion> done) {
        String type = job.getType();
        Semaphore limit = typeLimits.get(type);
        if (limit != null) {
            try {
                limit.acquire();
            } catch (InterruptedException e) {
                return new Abandoned("interrupted while waiting for the in-flight limit of type " + type);
            }
        }
        if (abandoned) {
            if (limit != null) {
                limit.release();
            }
            return new Abandoned("the processor closed before the job started");
        }
        CoordinationRules typeRules = rules.get(type);
        Guards.Held held = null;
        if (typeRules != null) {
            Guards.Admission admission = guards.admit(job, typeRules);
            if (!(admission instanceof Guards.Admission.Admitted)) {
                if (limit != null) {
                    limit.release();
                }
            }
            switch (admission) {
                case Guards.Admission.Admitted admitted -> held = admitted.held();
                case Guards.Admission.Skip skip -> {
                    metrics.skipped(type);
                    LOG.debug("job_skipped reason=already_done id={} type={}", job.getId(), type);
                    return SKIPPED;
                }
                case Guards.Admission.Defer defer -> {
                    return defer(work, job, defer.reason(), defer.detail());
                }
                case Guards.Admission.Reject reject -> {
                    return fail(work, job, type, FailureReason.HANDLER_ERROR, null, reject.message(), false);
                }
            }
            if (abandoned) {
                held.failed();
                if (limit != null) {
                    limit.release();
                }
                return new Abandoned("the processor closed before the job started");
            }
        }
        Duration timeout = config.timeoutOf(type);
        Run run = new Run(
                work, job, config.queue(), clock.instant().plus(timeout), timeout, Thread.currentThread(), done, limit);
        run.held = held;
        run.coordination = guards == null ? null : guards.coordination();
        startedEvent(work, job);
        running.add(run); // from here the timeout sweep watches it
        Throwable error = null;
        metrics.workersActive().incrementAndGet();
        try {
            if (abandoned) {
                run.cancel();
            }
            invoke(handler, run, job.getPayload());
        } catch (Throwable t) {
            error = t;
        } finally {
            metrics.workersActive().decrementAndGet();
            running.remove(run);
        }
        long nanos = System.nanoTime() - run.startNanos;
        if (!run.decide()) {
            LOG.debug("job_returned_after_timeout id={} type={}", job.getId(), type);
            if (held != null) {
                Thread.interrupted(); // the store calls must not see the cancel's interrupt
                held.failed(); // only now that the handler returned: its lock guarded it until then
            }
            done.accept(new Completion(work, HANDLER_EXITED)); // only now may the next job of its key start
            return null;
        }
        run.releasePermit();
        Thread.interrupted(); // a stale interrupt must not disturb writing the outcome
        if (error == null) {
            if (held != null) {
                held.succeeded(job.getId());
            }
            metrics.duration(type, "succeeded", nanos);
            metrics.completed(type);
            return succeeded(work, job, done);
        }
        if (held != null) {
            held.failed();
        }
        metrics.duration(type, "failed", nanos);
        return fail(
                work,
                job,
                type,
                FailureReason.HANDLER_ERROR,
                error,
                error.getMessage(),
                FailureClassification.isRetryable(error));
    }

    /**
     * Hands a job of a batch type to its batcher, after taking its type's in-flight slot; null when queued (the batch
     * delivers the outcome).
     */
    private Outcome enqueue(Work work, Job job, Batcher<?> batcher, Consumer<Completion> done) {
        Semaphore limit = typeLimits.get(job.getType());
        if (limit != null) {
            try {
                limit.acquire();
            } catch (InterruptedException e) {
                return new Abandoned("interrupted while waiting for the in-flight limit of type " + job.getType());
            }
        }
        Pending pending = new Pending(work, job, done, limit);
        if (abandoned) {
            pending.releasePermit();
            return new Abandoned("the processor closed before the job started");
        }
        batcher.add(pending);
        return null;
    }

    /** Runs one batch on the current (virtual) thread; every item's outcome is delivered exactly once. */
    private <T> void runBatch(BatchRegistration<T> registration, List<Pending> batch) {
        if (abandoned) {
            for (Pending pending : batch) {
                pending.releasePermit();
                pending.done.accept(
                        new Completion(pending.work, new Abandoned("the processor closed before the batch started")));
            }
            return;
        }
        String type = registration.type();
        Duration timeout = config.timeoutOf(type);
        Instant deadline = clock.instant().plus(timeout);
        Thread thread = Thread.currentThread();
        List<Run> runs = new ArrayList<>(batch.size());
        List<BatchItem<T>> items = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            Run run = new Run(
                    pending.work, pending.job, config.queue(), deadline, timeout, thread, pending.done, pending.limit);
            run.coordination = guards == null ? null : guards.coordination();
            T value;
            try {
                value = registration.reader().read(pending.job.getPayload());
            } catch (Throwable t) {
                run.decide();
                run.releasePermit();
                finishFailed(run, t, 0);
                continue;
            }
            runs.add(run);
            items.add(new BatchItem<>(run, value));
        }
        if (runs.isEmpty()) {
            return;
        }
        metrics.batchSize(type, runs.size());
        List<Run> siblings = List.copyOf(runs);
        runs.forEach(run -> run.batch = siblings); // published to the sweep by the concurrent set below
        running.addAll(runs); // from here the timeout sweep watches every item, all with the batch's deadline
        BatchResult result = null;
        Throwable error = null;
        long startNanos = System.nanoTime();
        metrics.workersActive().incrementAndGet();
        try {
            if (abandoned) {
                runs.forEach(Run::cancel);
            }
            result = registration.handler().handle(Collections.unmodifiableList(items));
            if (result == null) {
                error = new IllegalStateException("the batch handler of job type '" + type + "' returned null");
            }
        } catch (Throwable t) {
            error = t;
        } finally {
            metrics.workersActive().decrementAndGet();
            runs.forEach(running::remove);
        }
        long nanos = System.nanoTime() - startNanos;
        Thread.interrupted(); // a stale interrupt (an item timed out) must not disturb writing the outcomes
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            if (!run.decide()) {
                // timed out or abandoned: its outcome is already on its way; its key's lane is free only now
                run.done.accept(new Completion(run.work, HANDLER_EXITED));
                continue;
            }
            run.releasePermit();
            Throwable itemError =
                    error != null ? error : result.failureOf(items.get(i)).orElse(null);
            if (itemError == null) {
                metrics.duration(type, "succeeded", nanos);
                metrics.completed(type);
                Outcome outcome = succeeded(run.work, run.job, run.done);
                if (outcome != null) {
                    run.done.accept(new Completion(run.work, outcome));
                }
            } else {
                finishFailed(run, itemError, nanos);
            }
        }
    }

    /** Writes the failure of a decided batch item on a thread of its own, so the item's writes run side by side. */
    private void finishFailed(Run run, Throwable error, long nanos) {
        String type = run.job.getType();
        metrics.duration(type, "failed", nanos);
        threads.newThread(() -> {
                    Outcome outcome;
                    try {
                        outcome = fail(
                                run.work,
                                run.job,
                                type,
                                FailureReason.HANDLER_ERROR,
                                error,
                                error.getMessage(),
                                FailureClassification.isRetryable(error));
                    } catch (Throwable t) {
                        LOG.error("job_abandoned reason=internal_error error={}", t.toString(), t);
                        outcome = new Abandoned("internal error: " + t);
                    }
                    run.done.accept(new Completion(run.work, outcome));
                })
                .start();
    }

    @SuppressWarnings("unchecked")
    private static <T> void invoke(HandlerRegistration<T> handler, JobContext context, ByteBuffer payload)
            throws Exception {
        T value = handler.reader().read(payload);
        handler.handler().handle(context, value);
    }

    private void timeOut(Run run, Duration timeout) {
        if (!run.decide()) {
            return;
        }
        timedOut(run, timeout);
    }

    /** Cancels a run whose timeout decided its outcome and writes its {@code TIMEOUT} failure. */
    private void timedOut(Run run, Duration timeout) {
        run.cancel();
        run.releasePermit(); // a handler that ignores the interrupt must not hold its type's slot
        metrics.duration(run.job.getType(), "timeout", System.nanoTime() - run.startNanos);
        threads.newThread(() -> {
                    Outcome outcome;
                    try {
                        outcome = fail(
                                run.work,
                                run.job,
                                run.job.getType(),
                                FailureReason.TIMEOUT,
                                null,
                                "timed out after " + timeout + "; the handler was interrupted",
                                true);
                    } catch (Throwable t) {
                        LOG.error("job_abandoned reason=internal_error error={}", t.toString(), t);
                        outcome = new Abandoned("internal error: " + t);
                    }
                    // the outcome is decided, but the handler may still run: its key's lane waits for HANDLER_EXITED
                    run.done.accept(new Completion(run.work, outcome, false, true));
                })
                .start();
    }

    private Outcome fail(
            Work work,
            Job job,
            String typeTag,
            FailureReason reason,
            Throwable error,
            String message,
            boolean retryable) {
        ConsumerRecord<byte[], byte[]> record = work.record();
        JobFailure failure = JobFailure.newBuilder()
                .setJob(job)
                .setRawKey(job == null && record.key() != null ? ByteBuffer.wrap(record.key()) : null)
                .setRawValue(job == null && record.value() != null ? ByteBuffer.wrap(record.value()) : null)
                .setReason(reason)
                .setErrorClass(error == null ? null : error.getClass().getName())
                .setMessage(message == null ? "" : truncate(message))
                .setStackTrace(error == null ? null : stackTrace(error))
                .setRetryable(retryable)
                .setFailedAt(clock.instant())
                .setWorkerId(config.workerId())
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .build();
        logFailure(work, job, reason, error, message);
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.FAILURE_REASON, reason.name());
        if (job != null) {
            JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
            JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        }
        if (reason == FailureReason.REGISTRY_UNAVAILABLE) {
            JobHeaders.putText(headers, JobHeaders.DECODE_ATTEMPT, Integer.toString(decodeAttempt(record)));
        }
        // The event first: the dlq-service reacts to the failure record with RETRY_SCHEDULED or DEAD_LETTERED events
        // of its own, which should follow this one on the job's events partition.
        if (job != null && config.events() != EventLevel.NONE) {
            JobState state = reason == FailureReason.EXPIRED ? JobState.EXPIRED : JobState.FAILED;
            String summary =
                    reason + (error == null ? "" : " " + error.getClass().getName()) + ": " + message;
            JobEvent event = event(job, state, summary);
            if (!write(
                    work,
                    eventsTopic,
                    eventKey(job),
                    () -> eventSerde.encode(eventsTopic, event),
                    new RecordHeaders())) {
                return new Abandoned("the processor closed before the failure event was acknowledged");
            }
        }
        // encoding is retried too: with the Confluent format it may need the schema registry
        Write written =
                attempt(work, failedTopic, work.key(), () -> failureSerde.encode(failedTopic, failure), headers, true);
        boolean trimmed = written instanceof Write.Refused;
        if (written instanceof Write.Refused refused) {
            // too large for .failed (or its producer): a trimmed failure instead, pointing at the job's record; that
            // one is small, so a refusal of it is a misconfigured topic and retried like any other write error
            refusedWrite(work, failedTopic, refused.cause(), "trimmed");
            JobFailure small = Trimming.failure(failure, refused.cause().toString());
            RecordHeaders marked = new RecordHeaders();
            headers.forEach(header -> marked.add(header.key(), header.value())); // sent headers are read-only
            Trimming.mark(marked, Trimming.reference(record.topic(), record.partition(), record.offset()));
            byte[] key = work.key() == null || work.key().length <= TRIMMED_KEY_LIMIT ? work.key() : null;
            written = attempt(work, failedTopic, key, () -> failureSerde.encode(failedTopic, small), marked, false);
        }
        if (written instanceof Write.GaveUp) {
            return new Abandoned("the processor closed before the failure record was acknowledged");
        }
        metrics.failed(typeTag, reason);
        return new Failed(reason, retryable && !trimmed);
    }

    /**
     * A succeeded job's outcome: {@code SUCCEEDED} at once when events are off; else null: {@code done} receives
     * {@link Released} at once (the job's slot and lane are free: waiting for the broker must not cap throughput at
     * concurrency / round trip) and {@code SUCCEEDED} when the broker acknowledged the job's event (sent
     * asynchronously; a send that fails is retried with backoff on a thread of its own).
     */
    private Outcome succeeded(Work work, Job job, Consumer<Completion> done) {
        if (config.events() == EventLevel.NONE) {
            return SUCCEEDED;
        }
        // stamped before the lane is free: the next job of its key starts after this one's SUCCEEDED, also on the
        // record
        JobEvent succeeded = event(job, JobState.SUCCEEDED, null);
        done.accept(new Completion(work, RELEASED));
        byte[] key = eventKey(job);
        byte[] value;
        try {
            value = eventSerde.encode(eventsTopic, succeeded);
        } catch (RuntimeException e) {
            value = null; // encoded again, with retries, below
        }
        if (value != null && !abandoned) {
            events.add(new PendingEvent(work, job, succeeded, key, value, done));
            if (abandoned) {
                abandonEvents(); // raced with close: the sender may have drained already
            }
            return null;
        }
        writeSucceededEvent(work, job, succeeded, done);
        return null;
    }

    private void writeSucceededEvent(Work work, Job job, JobEvent event, Consumer<Completion> done) {
        boolean written = write(
                work, eventsTopic, eventKey(job), () -> eventSerde.encode(eventsTopic, event), new RecordHeaders());
        done.accept(new Completion(
                work,
                written ? SUCCEEDED : new Abandoned("the processor closed before the job's event was acknowledged"),
                true));
    }

    /** At level ALL, sends the job's {@code STARTED} event without waiting; a send that fails is counted and logged. */
    private void startedEvent(Work work, Job job) {
        if (config.events() != EventLevel.ALL) {
            return;
        }
        try {
            byte[] value = eventSerde.encode(eventsTopic, event(job, JobState.STARTED, null));
            Future<RecordMetadata> sent = work.progress()
                    .writes()
                    .pass(() -> producer.send(
                            new ProducerRecord<>(eventsTopic, null, eventKey(job), value), (metadata, exception) -> {
                                if (exception != null) {
                                    startedEventFailed(exception);
                                }
                            }));
            if (sent == null) {
                writeDropped(work, eventsTopic);
            }
        } catch (RuntimeException e) {
            startedEventFailed(e);
        }
    }

    private void startedEventFailed(Exception e) {
        metrics.eventError();
        if (startedEventErrors.incrementAndGet() == 1) {
            LOG.warn(
                    "event_write_failed topic={} state=STARTED error={} (first of its kind; later ones are counted in"
                            + " jobstream.events.errors)",
                    eventsTopic,
                    e.toString());
        }
    }

    private JobEvent event(Job job, JobState state, String error) {
        return JobEvent.newBuilder()
                .setJobId(job.getId())
                .setQueue(config.queue())
                .setType(job.getType())
                .setState(state)
                .setAttempt(job.getAttempt())
                .setAt(clock.instant())
                .setWorkerId(config.workerId())
                .setError(error == null ? null : oneLine(error))
                .build();
    }

    private static byte[] eventKey(Job job) {
        return job.getId().getBytes(StandardCharsets.UTF_8);
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= EVENT_ERROR_LIMIT ? line : line.substring(0, EVENT_ERROR_LIMIT);
    }

    /**
     * Re-publishes {@code job} to the delay tier of {@code jobstream.worker.defer-delay}, due then, attempt unchanged,
     * keyed and headed as it came; the outcome is {@link Deferred} once the broker acknowledged it.
     */
    private Outcome defer(Work work, Job job, String reason, String detail) {
        return deferUntil(work, job, clock.instant().plus(config.deferDelay()), reason, detail);
    }

    /**
     * Sends {@code job} to the delay tier that fits the wait until {@code due} (the smallest one when none is short
     * enough), due then; the forwarder brings it back no earlier.
     */
    private Outcome deferUntil(Work work, Job job, Instant due, String reason, String detail) {
        Duration wait = Duration.between(clock.instant(), due);
        String deferTopic = Topics.delay(
                config.queue(),
                config.delayTiers().tierFor(wait).orElse(config.delayTiers().smallest()));
        Job deferred = Job.newBuilder(job).setNotBefore(due).build();
        RecordHeaders headers = new RecordHeaders();
        Headers original = work.record().headers();
        if (original != null) {
            for (Header header : original) {
                headers.add(header.key(), header.value());
            }
        }
        JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        JobHeaders.putInstant(headers, JobHeaders.DUE_AT, due);
        JobHeaders.putText(headers, JobHeaders.TARGET_TOPIC, config.queue());
        Write written =
                attempt(work, deferTopic, work.key(), () -> jobSerde.encode(deferTopic, deferred), headers, true);
        if (written instanceof Write.GaveUp) {
            return new Abandoned("the processor closed before the deferred job was acknowledged");
        }
        if (written instanceof Write.Refused refused) {
            refusedWrite(work, deferTopic, refused.cause(), "failure");
            return fail(
                    work,
                    job,
                    job.getType(),
                    FailureReason.HANDLER_ERROR,
                    refused.cause(),
                    "the deferred job cannot be written to " + deferTopic + ": " + refused.cause(),
                    false);
        }
        metrics.deferred(job.getType(), reason);
        LOG.debug(
                "job_deferred reason={} id={} type={} topic={} due={} detail=\"{}\"",
                reason,
                job.getId(),
                job.getType(),
                deferTopic,
                due,
                detail);
        return new Deferred(reason);
    }

    /**
     * Writes one record to {@code topic}, retrying (the encoding too) with backoff until the broker acknowledges it;
     * false when the processor gave up (closing) first. A record refused for good ({@link RecordLimits#isTerminalFor},
     * e.g. too large for its topic) is dropped, logged and counted as written: only events are written this way.
     */
    private boolean write(Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers) {
        return switch (attempt(work, topic, key, encode, headers, true)) {
            case Write.Done done -> true;
            case Write.GaveUp gaveUp -> false;
            case Write.Refused refused -> {
                refusedWrite(work, topic, refused.cause(), "dropped");
                yield true;
            }
        };
    }

    /** How an {@link #attempt} to write a record ended. */
    private sealed interface Write {
        /** The broker acknowledged it. */
        record Done() implements Write {}

        /** The processor gave up (closing) first. */
        record GaveUp() implements Write {}

        /** Refused for good: writing the same record again can never succeed ({@link RecordLimits#isTerminalFor}). */
        record Refused(Throwable cause) implements Write {}
    }

    /**
     * Writes one record to {@code topic}, retrying (the encoding too) with backoff until the broker acknowledges it,
     * the processor gives up, or, when {@code refusalEnds}, a produce error is terminal for the record: it is never
     * sent again (the caller writes something smaller instead).
     */
    private Write attempt(
            Work work, String topic, byte[] key, Supplier<byte[]> encode, Headers headers, boolean refusalEnds) {
        long backoff = MIN_BACKOFF_MS;
        while (!abandoned) {
            try {
                byte[] value = encode.get();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, value, headers);
                Future<RecordMetadata> sent = work.progress().writes().pass(() -> producer.send(record));
                if (sent == null) {
                    writeDropped(work, topic);
                    return new Write.GaveUp(); // the partition was revoked: its new owner runs the job again
                }
                while (true) {
                    try {
                        sent.get(250, TimeUnit.MILLISECONDS);
                        return new Write.Done();
                    } catch (TimeoutException e) {
                        if (abandoned) {
                            return new Write.GaveUp();
                        }
                    } catch (InterruptedException e) {
                        if (abandoned) {
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
                if (!pause(backoff)) {
                    return new Write.GaveUp();
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
        return new Write.GaveUp();
    }

    /** Logs a record refused for good (the first with its trace, the rest counted). */
    private void refusedWrite(Work work, String topic, Throwable cause, String instead) {
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
    private void writeDropped(Work work, String topic) {
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

    /** Sleeps {@code millis} (a retry backoff); false when the processor gave up meanwhile. */
    private boolean pause(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!abandoned) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                // only abandon() ends a backoff early
            }
        }
        return false;
    }

    private void logFailure(Work work, Job job, FailureReason reason, Throwable error, String message) {
        long n = failuresSeen.get(reason).incrementAndGet();
        String id = job == null ? "-" : job.getId();
        String type = job == null ? "-" : job.getType();
        if (n == 1) {
            LOG.warn(
                    "job_failed reason={} id={} type={} partition={} offset={} message=\"{}\" (first of its kind;"
                            + " later ones are counted)",
                    reason,
                    id,
                    type,
                    work.partition(),
                    work.offset(),
                    message,
                    error);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "job_failed reason={} id={} type={} partition={} offset={} count={} message=\"{}\"",
                    reason,
                    id,
                    type,
                    work.partition(),
                    work.offset(),
                    n,
                    message);
        }
    }

    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return truncate(out.toString());
    }

    private static String truncate(String text) {
        return text.length() <= TEXT_LIMIT
                ? text
                : text.substring(0, TEXT_LIMIT) + "\n\t... (truncated, " + text.length() + " chars)";
    }

    /** A job of a batch type waiting for its batch, holding its type's in-flight slot if the type has a limit. */
    private static final class Pending {
        final Work work;
        final Job job;
        final Consumer<Completion> done;
        final Semaphore limit;

        Pending(Work work, Job job, Consumer<Completion> done, Semaphore limit) {
            this.work = work;
            this.job = job;
            this.done = done;
            this.limit = limit;
        }

        void releasePermit() {
            if (limit != null) {
                limit.release();
            }
        }
    }

    /**
     * Collects the ready jobs of one batch type and launches a batch (on a virtual thread of its own) when it holds
     * {@code maxBatchSize} jobs or {@code maxWait} after its first job arrived. Which jobs are ready is the poll
     * thread's business (the ordering mode), so a batch never holds two jobs the mode forbids running together.
     */
    private final class Batcher<T> {
        private final BatchRegistration<T> registration;
        private List<Pending> waiting = new ArrayList<>();
        /** Incremented whenever the waiting jobs are taken: a flush timer of an earlier batch does nothing. */
        private long generation;

        Batcher(BatchRegistration<T> registration) {
            this.registration = registration;
        }

        void add(Pending pending) {
            List<Pending> full = null;
            boolean first;
            long gen;
            synchronized (this) {
                waiting.add(pending);
                first = waiting.size() == 1;
                gen = generation;
                if (waiting.size() >= registration.maxBatchSize()) {
                    full = takeLocked();
                }
            }
            if (full != null) {
                launch(full);
            } else if (first) {
                try {
                    timer.schedule(() -> flushDue(gen), registration.maxWait().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    flushDue(gen); // the runner is closing: run what waits now
                }
            }
        }

        private void flushDue(long gen) {
            List<Pending> batch;
            synchronized (this) {
                if (gen != generation || waiting.isEmpty()) {
                    return;
                }
                batch = takeLocked();
            }
            launch(batch);
        }

        synchronized List<Pending> takeAll() {
            return takeLocked();
        }

        private List<Pending> takeLocked() {
            List<Pending> batch = waiting;
            waiting = new ArrayList<>();
            generation++;
            return batch;
        }

        private void launch(List<Pending> batch) {
            threads.newThread(() -> {
                        try {
                            runBatch(registration, batch);
                        } catch (Throwable t) {
                            // runBatch delivers every outcome itself; reaching here is a bug: never leave one hanging
                            LOG.error(
                                    "batch_abandoned type={} reason=internal_error error={}",
                                    registration.type(),
                                    t.toString(),
                                    t);
                        }
                    })
                    .start();
        }
    }

    /** One run of a handler: its context, and who decides the outcome (the handler's return or its timeout). */
    private static final class Run implements JobContext {
        final Work work;
        final Job job;
        final String queue;
        final Instant deadline;
        final Duration timeout;
        final Thread thread;
        final Consumer<Completion> done;
        final long startNanos = System.nanoTime();
        final long deadlineNanos;
        final AtomicBoolean decided = new AtomicBoolean();
        final Semaphore permit;
        final AtomicBoolean permitHeld;
        volatile boolean cancelled;
        /** Every run of the batch this run belongs to (itself included), or null for a single job. */
        List<Run> batch;
        /** What the job's coordination rules made it take, or null. */
        Guards.Held held;
        /** The processor's coordination store, or null. */
        Coordination coordination;

        Run(
                Work work,
                Job job,
                String queue,
                Instant deadline,
                Duration timeout,
                Thread thread,
                Consumer<Completion> done,
                Semaphore permit) {
            this.work = work;
            this.job = job;
            this.queue = queue;
            this.deadline = deadline;
            this.timeout = timeout;
            this.deadlineNanos = startNanos + timeout.toNanos();
            this.thread = thread;
            this.done = done;
            this.permit = permit;
            this.permitHeld = new AtomicBoolean(permit != null);
        }

        /** Gives the type's in-flight slot back, once, by whoever decided the outcome. */
        void releasePermit() {
            if (permitHeld.getAndSet(false)) {
                permit.release();
            }
        }

        /** True for whoever decides the outcome first. */
        boolean decide() {
            return decided.compareAndSet(false, true);
        }

        void cancel() {
            cancelled = true;
            thread.interrupt();
        }

        @Override
        public String id() {
            return job.getId();
        }

        @Override
        public String type() {
            return job.getType();
        }

        @Override
        public int attempt() {
            return job.getAttempt();
        }

        @Override
        public Optional<String> orderingKey() {
            return job.getOrderingKey();
        }

        @Override
        public Map<String, String> headers() {
            return Collections.unmodifiableMap(job.getHeaders());
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public OptionalLong fencingToken() {
            return held == null ? OptionalLong.empty() : held.fencingToken();
        }

        @Override
        public Optional<Coordination> coordination() {
            return Optional.ofNullable(coordination);
        }
    }
}
