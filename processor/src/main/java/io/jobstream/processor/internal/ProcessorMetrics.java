package io.jobstream.processor.internal;

import io.jobstream.processor.ProcessorMeters;
import io.jobstream.schemas.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * The processor's meters, each built from its {@link ProcessorMeters} entry. Tags are bounded: {@code queue}, {@code type} (a registered job type, else {@value
 * #UNKNOWN_TYPE}), {@code reason}, {@code outcome}, {@code partition}.
 *
 * <p>Thread-safe; the partition-lag gauges are registered and removed by the poll thread only.
 */
public final class ProcessorMetrics {
    /**
     * The histogram buckets of {@code jobstream.job.duration}, for jobs (10 ms to 10 min): Prometheus gets {@code _bucket} series,
     * so {@code histogram_quantile} (the dashboard's p95 panel) works across replicas.
     */
    static final Duration[] DURATION_BUCKETS = Stream.of(
                    "PT0.01S", "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S", "PT2.5S", "PT5S", "PT10S", "PT30S",
                    "PT1M", "PT5M", "PT10M")
            .map(Duration::parse)
            .toArray(Duration[]::new);

    /**
     * The histogram buckets of {@code jobstream.job.queue.wait} (10 ms to 1 h): how long a due job waited for a handler.
     */
    static final Duration[] WAIT_BUCKETS = Stream.of(
                    "PT0.01S", "PT0.05S", "PT0.1S", "PT0.5S", "PT1S", "PT5S", "PT10S", "PT30S", "PT1M", "PT5M", "PT15M",
                    "PT1H")
            .map(Duration::parse)
            .toArray(Duration[]::new);

    /**
     * The histogram buckets of {@code jobstream.job.end-to-end} (100 ms to 1 day): retries and delays are inside it.
     */
    static final Duration[] END_TO_END_BUCKETS = Stream.of(
                    "PT0.1S", "PT0.5S", "PT1S", "PT5S", "PT10S", "PT30S", "PT1M", "PT5M", "PT15M", "PT1H", "PT6H",
                    "PT24H")
            .map(Duration::parse)
            .toArray(Duration[]::new);

    /** The {@code type} tag of jobs whose type has no handler or could not be read. */
    public static final String UNKNOWN_TYPE = "unknown";

    private final MeterRegistry registry;
    private final String queue;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger workersActive = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<String, Counter> completed = new ConcurrentHashMap<>();
    private final Map<String, Counter> failed = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer>> durations = new ConcurrentHashMap<>();
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Timer> endToEnd = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
    private final Map<String, Counter> deferred = new ConcurrentHashMap<>();
    private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
    private final Counter eventErrors;
    private final Counter writesDropped;
    private final Map<TopicPartition, Depth> depths = new ConcurrentHashMap<>();

    public ProcessorMetrics(MeterRegistry registry, String queue) {
        this(registry, queue, Clock.systemUTC());
    }

    /** The meters of {@code queue}'s worker; waits and end-to-end times are measured on {@code clock}. */
    public ProcessorMetrics(MeterRegistry registry, String queue, Clock clock) {
        this.registry = registry;
        this.queue = queue;
        this.clock = clock;
        ProcessorMeters.JOBS_IN_FLIGHT
                .gauge(inFlight, AtomicInteger::get, "queue", queue)
                .register(registry);
        ProcessorMeters.JOBS_PENDING
                .gauge(pending, AtomicInteger::get, "queue", queue)
                .register(registry);
        ProcessorMeters.WORKERS_ACTIVE
                .gauge(workersActive, AtomicInteger::get, "queue", queue)
                .register(registry);
        eventErrors = ProcessorMeters.EVENT_ERRORS.counter("queue", queue).register(registry);
        writesDropped = ProcessorMeters.WRITES_DROPPED.counter("queue", queue).register(registry);
    }

    /** A job of {@code type} was deferred for {@code reason} (its re-queued copy was acknowledged). */
    public void deferred(String type, String reason) {
        deferred.computeIfAbsent(type + "\u0000" + reason, k -> ProcessorMeters.JOBS_DEFERRED
                        .counter("queue", queue, "type", type, "reason", reason)
                        .register(registry))
                .increment();
    }

    /** A job of idempotent {@code type} was skipped: its id had already succeeded. */
    public void skipped(String type) {
        skipped.computeIfAbsent(type, t -> ProcessorMeters.JOBS_SKIPPED
                        .counter("queue", queue, "type", t, "reason", "already_done")
                        .register(registry))
                .increment();
    }

    /** A STARTED event was not acknowledged. */
    public void eventError() {
        eventErrors.increment();
    }

    /** A write of a job whose partition was revoked was dropped. */
    public void writeDropped() {
        writesDropped.increment();
    }

    /** The registry. */
    public MeterRegistry registry() {
        return registry;
    }

    public AtomicInteger inFlight() {
        return inFlight;
    }

    public AtomicInteger pending() {
        return pending;
    }

    public AtomicInteger workersActive() {
        return workersActive;
    }

    /**
     * A handler of {@code type} starts a job that was due since {@code dueMillis} (epoch millis: the later of its
     * record's timestamp and its {@code notBefore}). A due time ahead of the clock (producers' clocks differ) counts
     * as no wait.
     */
    public void started(String type, long dueMillis) {
        Timer timer = waits.get(type);
        if (timer == null) {
            timer = waits.computeIfAbsent(type, t -> ProcessorMeters.JOB_QUEUE_WAIT
                    .timer("queue", queue, "type", t)
                    .serviceLevelObjectives(WAIT_BUCKETS)
                    .register(registry));
        }
        timer.record(Math.max(0, clock.millis() - dueMillis), TimeUnit.MILLISECONDS);
    }

    /** A job of {@code type} first published at {@code createdAtMillis} succeeded. */
    public void completed(String type, long createdAtMillis) {
        completed(type);
        Timer timer = endToEnd.get(type);
        if (timer == null) {
            timer = endToEnd.computeIfAbsent(type, t -> ProcessorMeters.JOB_END_TO_END
                    .timer("queue", queue, "type", t)
                    .serviceLevelObjectives(END_TO_END_BUCKETS)
                    .register(registry));
        }
        timer.record(Math.max(0, clock.millis() - createdAtMillis), TimeUnit.MILLISECONDS);
    }

    /** A job of {@code type} succeeded. */
    public void completed(String type) {
        Counter counter = completed.get(type); // resolved once per type: no lookup in the registry per job
        if (counter == null) {
            counter = completed.computeIfAbsent(type, t -> ProcessorMeters.JOBS_COMPLETED
                    .counter("queue", queue, "type", t)
                    .register(registry));
        }
        counter.increment();
    }

    /** A job of {@code type} failed with {@code reason} and the failure was written. */
    public void failed(String type, FailureReason reason) {
        failed.computeIfAbsent(type + "\u0000" + reason, k -> ProcessorMeters.JOBS_FAILED
                        .counter("queue", queue, "type", type, "reason", reason.name())
                        .register(registry))
                .increment();
    }

    /** A handler of {@code type} ran for {@code nanos} with {@code outcome} (succeeded, failed, timeout). */
    public void duration(String type, String outcome, long nanos) {
        // two lookups by the given strings, so the per-job path builds no key
        Map<String, Timer> byOutcome = durations.get(type);
        if (byOutcome == null) {
            byOutcome = durations.computeIfAbsent(type, t -> new ConcurrentHashMap<>());
        }
        Timer timer = byOutcome.get(outcome);
        if (timer == null) {
            timer = byOutcome.computeIfAbsent(outcome, o -> ProcessorMeters.JOB_DURATION
                    .timer("queue", queue, "type", type, "outcome", o)
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch of {@code size} jobs of {@code type} was handed to its batch handler. */
    public void batchSize(String type, int size) {
        batchSizes
                .computeIfAbsent(type, t -> ProcessorMeters.BATCH_SIZE
                        .summary("queue", queue, "type", t)
                        .register(registry))
                .record(size);
    }

    /** Starts reporting the lag of {@code partition}. */
    public void partitionAssigned(TopicPartition partition) {
        depths.computeIfAbsent(partition, tp -> {
            AtomicLong lag = new AtomicLong();
            Gauge gauge = ProcessorMeters.PARTITION_LAG
                    .gauge(lag, AtomicLong::get, "queue", queue, "partition", Integer.toString(tp.partition()))
                    .register(registry);
            return new Depth(lag, gauge);
        });
    }

    /** Stops reporting the lag of {@code partition}. */
    public void partitionRevoked(TopicPartition partition) {
        Depth depth = depths.remove(partition);
        if (depth != null) {
            registry.remove(depth.gauge());
        }
    }

    /** Sets the lag of {@code partition}. */
    public void lag(TopicPartition partition, long lag) {
        Depth depth = depths.get(partition);
        if (depth != null) {
            depth.lag().set(lag);
        }
    }

    /** Removes every meter of this processor's partitions (on close). */
    public void close() {
        depths.keySet().forEach(this::partitionRevoked);
    }

    private record Depth(AtomicLong lag, Gauge gauge) {}
}
