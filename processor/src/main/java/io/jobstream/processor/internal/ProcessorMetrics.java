package io.jobstream.processor.internal;

import io.jobstream.schemas.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * The processor's meters. Tags are bounded: {@code queue}, {@code type} (a registered job type, else {@value
 * #UNKNOWN_TYPE}), {@code reason}, {@code outcome}, {@code partition}.
 *
 * <p>Thread-safe; the queue-depth gauges are registered and removed by the poll thread only.
 */
public final class ProcessorMetrics {
    public static final String COMPLETED = "jobstream.jobs.completed";
    public static final String FAILED = "jobstream.jobs.failed";
    public static final String DURATION = "jobstream.job.duration";
    public static final String IN_FLIGHT = "jobstream.jobs.in-flight";
    public static final String PENDING = "jobstream.jobs.pending";
    public static final String WORKERS_ACTIVE = "jobstream.workers.active";
    public static final String QUEUE_DEPTH = "jobstream.queue.depth";
    public static final String BATCH_SIZE = "jobstream.batch.size";
    public static final String DEFERRED = "jobstream.jobs.deferred";
    public static final String SKIPPED = "jobstream.jobs.skipped";
    public static final String EVENT_ERRORS = "jobstream.events.errors";
    public static final String WRITES_DROPPED = "jobstream.writes.dropped";
    /**
     * The histogram buckets of {@link #DURATION}, for jobs (10 ms to 10 min): Prometheus gets {@code _bucket} series,
     * so {@code histogram_quantile} (the dashboard's p95 panel) works across replicas.
     */
    static final Duration[] DURATION_BUCKETS = Stream.of(
                    "PT0.01S", "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S", "PT2.5S", "PT5S", "PT10S", "PT30S",
                    "PT1M", "PT5M", "PT10M")
            .map(Duration::parse)
            .toArray(Duration[]::new);

    /** The {@code type} tag of jobs whose type has no handler or could not be read. */
    public static final String UNKNOWN_TYPE = "unknown";

    private final MeterRegistry registry;
    private final String queue;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger workersActive = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<String, Counter> completed = new ConcurrentHashMap<>();
    private final Map<String, Counter> failed = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer>> durations = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
    private final Map<String, Counter> deferred = new ConcurrentHashMap<>();
    private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
    private final Counter eventErrors;
    private final Counter writesDropped;
    private final Map<TopicPartition, Depth> depths = new ConcurrentHashMap<>();

    public ProcessorMetrics(MeterRegistry registry, String queue) {
        this.registry = registry;
        this.queue = queue;
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Jobs taken from the queue and not yet finished (running, or writing their failure)")
                .tags(Tags.of("queue", queue))
                .register(registry);
        Gauge.builder(PENDING, pending, AtomicInteger::get)
                .description("Jobs fetched and not yet committable: waiting, running, or finished behind an unfinished"
                        + " one (bounded by pausing partitions)")
                .tags(Tags.of("queue", queue))
                .register(registry);
        Gauge.builder(WORKERS_ACTIVE, workersActive, AtomicInteger::get)
                .description("Handlers running right now")
                .tags(Tags.of("queue", queue))
                .register(registry);
        eventErrors = Counter.builder(EVENT_ERRORS)
                .description("STARTED events the broker did not acknowledge (outcome events are retried instead)")
                .tags(Tags.of("queue", queue))
                .register(registry);
        writesDropped = Counter.builder(WRITES_DROPPED)
                .description("Failures, deferrals and events not written because their job's partition had been"
                        + " revoked (another worker runs the job again)")
                .tags(Tags.of("queue", queue))
                .register(registry);
    }

    /** A job of {@code type} was deferred for {@code reason} (its re-queued copy was acknowledged). */
    public void deferred(String type, String reason) {
        deferred.computeIfAbsent(type + "\u0000" + reason, k -> Counter.builder(DEFERRED)
                        .description("Jobs re-queued through a delay tier because their lock, permit or rate token"
                                + " was not had in time, or the coordination store was unreachable")
                        .tags(Tags.of("queue", queue, "type", type, "reason", reason))
                        .register(registry))
                .increment();
    }

    /** A job of idempotent {@code type} was skipped: its id had already succeeded. */
    public void skipped(String type) {
        skipped.computeIfAbsent(type, t -> Counter.builder(SKIPPED)
                        .description("Jobs not run because their id had already succeeded (idempotent types)")
                        .tags(Tags.of("queue", queue, "type", t, "reason", "already_done"))
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

    /** A job of {@code type} succeeded. */
    public void completed(String type) {
        Counter counter = completed.get(type); // resolved once per type: no lookup in the registry per job
        if (counter == null) {
            counter = completed.computeIfAbsent(type, t -> Counter.builder(COMPLETED)
                    .description("Jobs that succeeded")
                    .tags(Tags.of("queue", queue, "type", t))
                    .register(registry));
        }
        counter.increment();
    }

    /** A job of {@code type} failed with {@code reason} and the failure was written. */
    public void failed(String type, FailureReason reason) {
        failed.computeIfAbsent(type + "\u0000" + reason, k -> Counter.builder(FAILED)
                        .description("Jobs whose failure was written to <queue>.failed")
                        .tags(Tags.of("queue", queue, "type", type, "reason", reason.name()))
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
            timer = byOutcome.computeIfAbsent(outcome, o -> Timer.builder(DURATION)
                    .description("How long handlers ran")
                    .tags(Tags.of("queue", queue, "type", type, "outcome", o))
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch of {@code size} jobs of {@code type} was handed to its batch handler. */
    public void batchSize(String type, int size) {
        batchSizes
                .computeIfAbsent(type, t -> DistributionSummary.builder(BATCH_SIZE)
                        .description("Jobs per batch handed to a batch handler")
                        .baseUnit("jobs")
                        .tags(Tags.of("queue", queue, "type", t))
                        .register(registry))
                .record(size);
    }

    /** Starts reporting the lag of {@code partition}. */
    public void partitionAssigned(TopicPartition partition) {
        depths.computeIfAbsent(partition, tp -> {
            AtomicLong lag = new AtomicLong();
            Gauge gauge = Gauge.builder(QUEUE_DEPTH, lag, AtomicLong::get)
                    .description("Jobs in the partition after this worker's position (consumer lag)")
                    .tags(Tags.of("queue", queue, "partition", Integer.toString(tp.partition())))
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
