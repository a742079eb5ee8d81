package io.jobstream.processor.internal;

import io.jobstream.processor.CoordinationRules;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.HandlerInvocation.Result;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.HandlerExited;
import io.jobstream.processor.internal.Outcome.Skipped;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one fetched record to its {@link Outcome} on a virtual thread of its own: decode the job, admit it (expired,
 * not due yet, unknown type, its type's in-flight limit, its coordination rules), invoke its handler (or hand it to its
 * type's batch) and return the outcome. The parts it runs with:
 *
 * <ul>
 *   <li>{@link HandlerInvocation}: the handler on the job's thread under its timeout (one sweep for all runs);
 *   <li>{@link Batcher}: one per batch type, collecting jobs into batches;
 *   <li>{@link FailureRecords}: a failed job's record to {@code <queue>.failed} (trimmed when refused for good);
 *   <li>{@link Deferrals}: a job that may not run yet back through a delay tier;
 *   <li>{@link EventSender}: the jobs' events to {@code <queue>.events};
 *   <li>{@link AcknowledgedWriter}: the one write-with-backoff all of those write through;
 *   <li>{@link JobTracing}: the job's {@code process} span, current from admission to outcome.
 * </ul>
 *
 * <p>The outcome is handed to the poll thread through the callback given to {@link #start(Work, Consumer)}, exactly
 * once per record; a handler that returns after its timeout fired changes nothing but then hands back {@link
 * HandlerExited}: the job's ordering lane is held until its handler really returned, so the next job of its key never
 * runs beside it.
 *
 * <p>Thread-safe. Nothing here throws to the caller: a bad record becomes a failure, a fault inside Jobstream an {@link
 * Abandoned} outcome (logged). {@link #abandon()} (the processor's close budget ran out) cancels every running handler
 * and stops retrying writes; those records end {@link Abandoned}, never committed.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** Tries of a decode that finds the schema registry unavailable before the record is failed as such. */
    private static final int DECODE_TRIES = 3;

    private static final Skipped SKIPPED = new Skipped();
    private static final HandlerExited HANDLER_EXITED = new HandlerExited();
    /** The two bytes that open Avro single-object encoding. */
    private static final byte SINGLE_OBJECT_MARKER_0 = (byte) 0xC3;

    private static final byte SINGLE_OBJECT_MARKER_1 = 0x01;

    private final Map<String, HandlerRegistration<?>> handlers;
    private final Map<String, Batcher<?>> batchers = new HashMap<>();
    private final Map<String, CoordinationRules> rules;
    private final Guards guards;
    private final Map<String, Semaphore> typeLimits = new HashMap<>();
    private final ProcessorConfig config;
    private final JobDecoder decoder;
    private final Clock clock;
    private final ProcessorMetrics metrics;
    private final Abandonment abandonment = new Abandonment();
    private final EventSender events;
    private final FailureRecords failures;
    private final Deferrals deferrals;
    private final HandlerInvocation invocation;
    private final JobTracing tracing;

    /**
     * What a runner runs with, as {@code JobProcessor}'s builder made and checked it.
     *
     * @param config the processor's settings
     * @param handlers the handler of each job type that has one
     * @param batchHandlers the batch handler of each batch type (no type has both)
     * @param rules the coordination rules of the types that have any (never a batch type; none empty)
     * @param guards takes the rules from the coordination store; null only when there are no rules
     * @param decoder reads the records; closed with the runner
     * @param failureSerde writes the failure records; closed with the runner
     * @param producer writes failures, deferrals and events; the processor closes it
     * @param clock for expiry, deadlines and record times
     * @param metrics the processor's meters
     * @param openTelemetry traces each job attempt ({@link JobTracing})
     */
    public record Setup(
            ProcessorConfig config,
            Map<String, HandlerRegistration<?>> handlers,
            Map<String, BatchRegistration<?>> batchHandlers,
            Map<String, CoordinationRules> rules,
            Guards guards,
            JobDecoder decoder,
            JobSerde<JobFailure> failureSerde,
            Producer<byte[], byte[]> producer,
            Clock clock,
            ProcessorMetrics metrics,
            OpenTelemetry openTelemetry) {
        /** A setup that traces nothing (the no-op OpenTelemetry). */
        public Setup(
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
            this(
                    config,
                    handlers,
                    batchHandlers,
                    rules,
                    guards,
                    decoder,
                    failureSerde,
                    producer,
                    clock,
                    metrics,
                    OpenTelemetry.noop());
        }

        public Setup {
            handlers = Map.copyOf(handlers);
            batchHandlers = Map.copyOf(batchHandlers);
            rules = Map.copyOf(rules);
        }
    }

    /** A runner with {@code setup}; its timeout sweep (and, with events on, its event sender) start at once. */
    public JobRunner(Setup setup) {
        this.config = setup.config();
        this.handlers = setup.handlers();
        this.rules = setup.rules();
        this.guards = setup.guards();
        this.decoder = setup.decoder();
        this.clock = setup.clock();
        this.metrics = setup.metrics();
        this.tracing = new JobTracing(setup.openTelemetry(), config.queue(), config.group());
        config.typeConcurrency().forEach((type, limit) -> typeLimits.put(type, new Semaphore(limit, true)));
        // One name for all job threads: a numbered name is a string built per job, on the poll thread.
        ThreadFactory jobThreads =
                Thread.ofVirtual().name("jobstream-" + config.queue() + "-job").factory();
        AcknowledgedWriter writer = new AcknowledgedWriter(setup.producer(), abandonment, metrics);
        this.events = new EventSender(config, writer, abandonment, jobThreads, clock, metrics);
        FailureRecords failures = new FailureRecords(config, setup.failureSerde(), writer, events, clock, metrics);
        this.failures = failures;
        this.deferrals = new Deferrals(config, writer, failures, clock, metrics);
        this.invocation = new HandlerInvocation(
                config,
                guards == null ? null : guards.coordination(),
                abandonment,
                jobThreads,
                clock,
                metrics,
                run -> failures.fail(
                        run.work,
                        run.job,
                        run.job.getType(),
                        FailureReason.TIMEOUT,
                        null,
                        "timed out after " + run.timeout + "; the handler was interrupted",
                        true));
        setup.batchHandlers().forEach((type, registration) -> batchers.put(type, batcher(registration)));
    }

    private <T> Batcher<T> batcher(BatchRegistration<T> registration) {
        return new Batcher<>(registration, config, invocation, events, failures, abandonment, clock, metrics);
    }

    /**
     * The topics this runner writes to: {@code <queue>.failed}, {@code <queue>.events} when events are on, and the
     * deferral tier when a type has coordination rules.
     */
    public List<String> outputTopics() {
        List<String> topics = new ArrayList<>();
        topics.add(failures.topic());
        if (events.enabled()) {
            topics.add(events.topic());
        }
        if (!rules.isEmpty()) {
            topics.add(deferrals.deferTopic());
        }
        return List.copyOf(topics);
    }

    /** Runs {@code work} on a new virtual thread; {@code done} receives its outcome exactly once. */
    public void start(Work work, Consumer<Completion> done) {
        Job decoded = decodeOnCaller(work.record());
        invocation.start(() -> runSafely(work, decoded, done));
    }

    /**
     * Gives up on every running job: cancels and interrupts the handlers (each ends {@link Abandoned}) and stops
     * retrying writes and decodes.
     */
    public void abandon() {
        abandonment.abandon();
        events.abandon();
        batchers.values().forEach(Batcher::abandon);
        invocation.abandon();
    }

    @Override
    public void close() {
        abandonment.abandon(); // the producer closes with the runner: no write may go on retrying
        invocation.close();
        events.close();
        decoder.close();
        failures.close();
        deferrals.close();
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

    /** The job's outcome, or null when it is delivered to {@code done} later (a batch, an acknowledged event). */
    private Outcome execute(Work work, Job decoded, Consumer<Completion> done) {
        Job job;
        try {
            job = decoded != null ? decoded : decode(work.record());
        } catch (RuntimeException e) {
            return undecodable(work, e);
        }
        if (job == null) {
            return new Abandoned("the schema registry was unavailable until the processor closed");
        }
        Context trace = tracing.start(work, job);
        Consumer<Completion> traced = JobTracing.endingOn(trace, done);
        Outcome outcome;
        try (Scope ignored = trace.makeCurrent()) {
            outcome = admit(work, job, traced);
        } catch (RuntimeException | Error e) {
            JobTracing.end(trace);
            throw e;
        }
        if (outcome != null) {
            JobTracing.end(trace); // handed to done by the caller, untraced
        }
        return outcome;
    }

    /**
     * Admits a decoded job and runs it (or hands it to its batch); its outcome, or null when it is delivered to {@code
     * done} later.
     */
    private Outcome admit(Work work, Job job, Consumer<Completion> done) {
        String type = job.getType();
        HandlerRegistration<?> handler = handlers.get(type);
        Batcher<?> batcher = handler == null ? batchers.get(type) : null;
        String typeTag = handler == null && batcher == null ? ProcessorMetrics.UNKNOWN_TYPE : type;
        Optional<Instant> expiresAt = job.getExpiresAt();
        if (expiresAt.isPresent() && !clock.instant().isBefore(expiresAt.get())) {
            return failures.fail(
                    work, job, typeTag, FailureReason.EXPIRED, null, "expired at " + expiresAt.get(), false);
        }
        Optional<Instant> notBefore = job.getNotBefore();
        if (notBefore.isPresent() && clock.instant().isBefore(notBefore.get())) {
            // A job written straight to the queue (any producer: notBefore in a JSON envelope) that is not due yet
            // waits in the delay tiers like one the publisher delayed: it never runs early.
            return deferrals.deferUntil(work, job, notBefore.get(), "not_before", "not before " + notBefore.get());
        }
        if (handler == null && batcher == null) {
            String message = "no handler for job type '" + type + "'; this worker handles " + handlers.keySet();
            return failures.fail(work, job, typeTag, FailureReason.UNKNOWN_TYPE, null, message, false);
        }
        Semaphore limit = typeLimits.get(type);
        if (limit != null) {
            try {
                limit.acquire();
            } catch (InterruptedException e) {
                return new Abandoned("interrupted while waiting for the in-flight limit of type " + type);
            }
        }
        if (abandonment.isAbandoned()) {
            release(limit);
            return new Abandoned("the processor closed before the job started");
        }
        if (batcher != null) {
            batcher.add(work, job, done, limit);
            return null;
        }
        return runHandler(work, job, handler, done, limit);
    }

    /**
     * The failure of a record that cannot be read as a job. A registry still unavailable after a few tries in place is
     * {@code REGISTRY_UNAVAILABLE}, retried with the raw bytes through the delay tiers (the partition goes on
     * meanwhile); a writer schema that cannot be found (unknown registry id or fingerprint, no registry configured) is
     * {@code UNKNOWN_SCHEMA}; any other undecodable record {@code DECODE_ERROR}; neither of those is retried.
     */
    private Outcome undecodable(Work work, RuntimeException e) {
        JobDecodeException.Reason cause = e instanceof JobDecodeException d ? d.reason() : null;
        FailureReason reason =
                switch (cause) {
                    case REGISTRY_UNAVAILABLE -> FailureReason.REGISTRY_UNAVAILABLE;
                    case UNKNOWN_SCHEMA -> FailureReason.UNKNOWN_SCHEMA;
                    case null, default -> FailureReason.DECODE_ERROR;
                };
        return failures.fail(
                work,
                null,
                ProcessorMetrics.UNKNOWN_TYPE,
                reason,
                e,
                e.getMessage(),
                reason == FailureReason.REGISTRY_UNAVAILABLE);
    }

    /**
     * Decodes the job, trying a registry that is unavailable {@link #DECODE_TRIES} times in place (a blip costs a
     * moment, not a trip through the delay tiers) before the failure goes to {@code .failed}; null when the processor
     * closed meanwhile.
     */
    private Job decode(ConsumerRecord<byte[], byte[]> record) {
        long backoff = Abandonment.MIN_BACKOFF_MS;
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
                if (abandonment.isAbandoned() || !abandonment.pause(backoff)) {
                    return null;
                }
                backoff = Abandonment.next(backoff);
            }
        }
    }

    /** Admits a job holding its type's slot {@code limit} (or null) by its rules, runs its handler, and finishes it. */
    private Outcome runHandler(
            Work work, Job job, HandlerRegistration<?> handler, Consumer<Completion> done, Semaphore limit) {
        String type = job.getType();
        CoordinationRules typeRules = rules.get(type);
        Guards.Held held = null;
        if (typeRules != null) {
            Guards.Admission admission = guards.admit(job, typeRules);
            if (!(admission instanceof Guards.Admission.Admitted)) {
                release(limit);
            }
            switch (admission) {
                case Guards.Admission.Admitted admitted -> held = admitted.held();
                case Guards.Admission.Skip skip -> {
                    metrics.skipped(type);
                    LOG.debug("job_skipped reason=already_done id={} type={}", job.getId(), type);
                    return SKIPPED;
                }
                case Guards.Admission.Defer defer -> {
                    return deferrals.defer(work, job, defer.reason(), defer.detail());
                }
                case Guards.Admission.Reject reject -> {
                    return failures.fail(work, job, type, FailureReason.HANDLER_ERROR, null, reject.message(), false);
                }
            }
            if (abandonment.isAbandoned()) {
                held.failed();
                release(limit);
                return new Abandoned("the processor closed before the job started");
            }
        }
        HandlerRun run = invocation.run(work, job, config.timeoutOf(type), done, limit, held);
        events.started(work, job);
        switch (invocation.invoke(run, handler)) {
            case Result.Overtaken overtaken -> {
                LOG.debug("job_returned_after_timeout id={} type={}", job.getId(), type);
                if (held != null) {
                    held.failed(); // only now that the handler returned: its lock guarded it until then
                }
                done.accept(new Completion(work, HANDLER_EXITED)); // only now may the next job of its key start
                return null;
            }
            case Result.Returned returned
            when returned.error() == null -> {
                if (held != null) {
                    held.succeeded(job.getId());
                }
                metrics.duration(type, "succeeded", returned.nanos());
                metrics.completed(type, job.getCreatedAt().toEpochMilli());
                return events.succeeded(work, job, done);
            }
            case Result.Returned returned -> {
                if (held != null) {
                    held.failed();
                }
                metrics.duration(type, "failed", returned.nanos());
                return failures.handlerError(work, job, returned.error());
            }
        }
    }

    private static void release(Semaphore limit) {
        if (limit != null) {
            limit.release();
        }
    }
}
