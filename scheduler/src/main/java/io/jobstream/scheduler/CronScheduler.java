package io.jobstream.scheduler;

import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.LeaderElection;
import io.jobstream.coordination.LeadershipListener;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.scheduler.internal.KafkaTickLog;
import io.jobstream.scheduler.internal.TickLog;
import io.jobstream.scheduler.internal.TickLogUnusableException;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a job at every tick of each {@link Schedule}, once per tick however many replicas run.
 *
 * <p>Replicas elect a leader through the coordination store ({@code jobstream-scheduler}); only the leader fires. The
 * record of fired ticks is in Kafka, not in the store, so it survives the store losing its data: each tick's job is
 * written in one transaction with a record in the compacted marker topic ({@link SchedulerConfig#markerTopic()},
 * key = schedule name, value = the tick), and every replica shares one transactional id. At the start of each term
 * (and after any failed fire) the leader opens the log: {@code initTransactions} fences the previous leader's producer
 * and settles its unfinished transaction, then the markers are read with {@code read_committed}. The leader then fires
 * every tick after its schedule's marker that lies within the misfire grace; ticks older than that follow the
 * schedule's {@link MisfirePolicy}. A schedule without a marker looks back over the grace but not before this
 * replica's start (a fresh deployment does not fire the past). Two replicas that both believe they lead (the store
 * restarted empty, a lease ran out) fence each other's transactions instead of firing a tick twice. Job ids are
 * deterministic too ({@code Ulid.fromName("schedule:<name>@<tick millis>")}).
 *
 * <p>When the store or Kafka is unreachable nothing fires (fail closed); the ticks are fired late, within the grace,
 * once they are back. A tick log that can never work as it is (a marker topic that is not compacted, credentials
 * refused for its transactional id or topics) or a scheduling thread that died stops the scheduler for good, and
 * {@link #failure()} says why (the {@code jobstream scheduler} command then answers 503 and exits 1). Thread-safe; one
 * scheduling thread per instance.
 */
public final class CronScheduler implements AutoCloseable {
    /** Header on fired jobs: the schedule's name. */
    public static final String SCHEDULE_HEADER = "jobstream.schedule";
    /** Header on fired jobs: the tick (ISO-8601 instant). */
    public static final String TICK_HEADER = "jobstream.scheduled-at";
    /** The leader election's name in the coordination store. */
    public static final String ELECTION = "jobstream-scheduler";

    private static final Logger LOG = LoggerFactory.getLogger(CronScheduler.class);
    private static final int MAX_TICKS_PER_CHECK = 1_000;

    private final SchedulerConfig config;
    private final TickLog tickLog;
    private final Coordination coordination;
    private final Clock clock;
    private final MeterRegistry meters;
    /** Per schedule, where this term's firing stands; empty until the tick log is open. */
    private final Map<String, Cursor> cursors = new HashMap<>();

    private final AtomicBoolean freshTerm = new AtomicBoolean();
    private final ScheduledExecutorService thread;
    private volatile Instant startedAt;
    private boolean open;
    private LeaderElection election;
    private boolean closed;
    private volatile String failure;

    /** Ticks after {@code after} are due; {@code catchUp}, when set, is the one misfired tick to fire before them. */
    private static final class Cursor {
        Instant after;
        Instant catchUp;

        Cursor(Instant after, Instant catchUp) {
            this.after = after;
            this.catchUp = catchUp;
        }
    }

    CronScheduler(
            SchedulerConfig config, TickLog tickLog, Coordination coordination, Clock clock, MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        this.tickLog = Objects.requireNonNull(tickLog, "tickLog");
        this.coordination = Objects.requireNonNull(coordination, "coordination");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jobstream-scheduler").daemon(false).factory());
        this.startedAt = clock.instant();
    }

    /**
     * A scheduler writing jobs and markers with {@code kafka}'s producer settings, encoded as {@code publisher} says
     * (write format; {@code max.request.size} fits its payload limit). Creating it does not contact the brokers.
     */
    public static CronScheduler create(
            SchedulerConfig config,
            KafkaSettings kafka,
            PublisherConfig publisher,
            Coordination coordination,
            MeterRegistry meters) {
        Objects.requireNonNull(config, "config");
        int maxRequestSize = (int) publisher.producerMaxRequestSize();
        TickLog log = new KafkaTickLog(kafka, config.markerTopic(), publisher.serde(), maxRequestSize, meters);
        return new CronScheduler(config, log, coordination, Clock.systemUTC(), meters);
    }

    /** A scheduler with a {@link SimpleMeterRegistry}. */
    public static CronScheduler create(
            SchedulerConfig config, KafkaSettings kafka, PublisherConfig publisher, Coordination coordination) {
        return create(config, kafka, publisher, coordination, new SimpleMeterRegistry());
    }

    /** Joins the leader election and starts checking for due ticks every check interval. */
    public CronScheduler start() {
        return start(true);
    }

    /** Joins the election; with {@code periodic} false nothing checks on its own (tests call {@link #check()}). */
    synchronized CronScheduler start(boolean periodic) {
        if (closed || election != null) {
            throw new IllegalStateException("a scheduler starts once");
        }
        startedAt = clock.instant();
        election = coordination.leaderElection(ELECTION, config.leaderLease(), new LeadershipListener() {
            @Override
            public void onGranted(long fencingToken) {
                freshTerm.set(true);
                LOG.info("scheduler leadership granted token={}", fencingToken);
            }

            @Override
            public void onRevoked() {
                LOG.info("scheduler leadership revoked");
            }
        });
        SchedulerMeters.LEADER.gauge(this, s -> s.isLeader() ? 1 : 0).register(meters);
        if (periodic) {
            long every = config.checkInterval().toMillis();
            thread.scheduleWithFixedDelay(this::checkSafely, 0, every, TimeUnit.MILLISECONDS);
        }
        LOG.info(
                "scheduler started schedules={} marker-topic={}",
                config.schedules().size(),
                config.markerTopic());
        return this;
    }

    /** Whether this replica leads (and so fires) now. */
    public boolean isLeader() {
        LeaderElection current;
        synchronized (this) {
            current = election;
        }
        return current != null && current.isLeader();
    }

    /**
     * Why this scheduler has stopped for good: its tick log can never work as it is ({@link TickLogUnusableException}:
     * a marker topic that is not compacted, credentials refused for its transactional id or topics) or its scheduling
     * thread died. Empty while it runs, retries a fault that may pass (a broker or the store down, a fence by another
     * replica), or after {@link #close()}. Answers from memory, at once.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private void checkSafely() {
        try {
            check();
        } catch (TickLogUnusableException e) {
            stop("the tick log cannot work: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.warn("scheduler check failed error={}", e.toString());
        } catch (Error e) {
            stop("the scheduling thread died: " + e, e);
            throw e;
        }
    }

    /** Stops checking for good (no further check runs) and remembers why. */
    private void stop(String reason, Throwable cause) {
        synchronized (this) {
            if (closed) {
                return; // closing on request: not a failure
            }
            failure = reason;
        }
        LOG.error("scheduler stopped reason=\"{}\"", reason, cause);
        thread.shutdown();
    }

    /**
     * One check: when leading, fires every due tick not yet fired; returns how many it published. Runs on the
     * scheduling thread (tests call it directly on a scheduler that was not started).
     */
    int check() {
        if (!isLeader()) {
            open = false;
            cursors.clear();
            return 0;
        }
        Instant now = clock.instant();
        if (freshTerm.getAndSet(false)) {
            open = false;
        }
        if (!open && !openLog(now)) {
            return 0;
        }
        int fired = 0;
        for (Schedule schedule : config.schedules()) {
            Cursor cursor = cursors.get(schedule.name());
            if (cursor.catchUp != null) {
                if (!fire(schedule, cursor.catchUp)) {
                    return fired;
                }
                fired++;
                cursor.catchUp = null;
            }
            for (Instant tick : schedule.ticks(cursor.after, now, MAX_TICKS_PER_CHECK)) {
                if (!fire(schedule, tick)) {
                    return fired;
                }
                fired++;
                cursor.after = tick;
            }
        }
        return fired;
    }

    /** Opens the tick log (fencing any earlier leader) and places each schedule's cursor after its last fired tick. */
    private boolean openLog(Instant now) {
        Map<String, Instant> lastFired;
        try {
            lastFired = tickLog.open();
        } catch (TickLogUnusableException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("scheduler cannot open its tick log topic={} error={}", config.markerTopic(), e.toString());
            return false;
        }
        cursors.clear();
        Instant graceStart = now.minus(config.misfireGrace());
        for (Schedule schedule : config.schedules()) {
            cursors.put(schedule.name(), cursor(schedule, lastFired.get(schedule.name()), graceStart));
        }
        open = true;
        LOG.info("scheduler opened its tick log topic={} last-fired={}", config.markerTopic(), lastFired);
        return true;
    }

    private Cursor cursor(Schedule schedule, Instant lastFired, Instant graceStart) {
        boolean fireOnce = schedule.misfire() == MisfirePolicy.FIRE_ONCE;
        if (lastFired == null) {
            // Never fired: look back over the grace, but not before this replica started (a fresh deployment does
            // not fire the past); a fire-once schedule catches up the latest tick before the grace.
            Instant after = graceStart.isAfter(startedAt) ? graceStart : startedAt;
            return new Cursor(after, fireOnce ? schedule.lastTick(graceStart).orElse(null) : null);
        }
        if (!lastFired.isBefore(graceStart)) {
            return new Cursor(lastFired, null);
        }
        // Ticks between the last fired one and the grace were missed: skipped, or the latest of them fired once.
        Optional<Instant> missed =
                fireOnce ? schedule.lastTick(graceStart).filter(t -> t.isAfter(lastFired)) : Optional.empty();
        return new Cursor(graceStart, missed.orElse(null));
    }

    /** Fires one tick; false when it did not happen (the log is reopened at the next check). */
    private boolean fire(Schedule schedule, Instant tick) {
        Job job = job(schedule, tick);
        try {
            tickLog.fire(schedule.name(), tick, schedule.queue(), job);
        } catch (TickLogUnusableException e) {
            open = false;
            counter(schedule, "failed").increment();
            throw e;
        } catch (Exception e) {
            open = false;
            counter(schedule, "failed").increment();
            LOG.warn(
                    "scheduler publish failed schedule={} tick={} queue={} error={}",
                    schedule.name(),
                    tick,
                    schedule.queue(),
                    e.toString());
            return false;
        }
        counter(schedule, "published").increment();
        LOG.info(
                "scheduler fired schedule={} tick={} job={} queue={}",
                schedule.name(),
                tick,
                job.getId(),
                schedule.queue());
        return true;
    }

    /** The job a tick of {@code schedule} publishes; its id depends only on the schedule's name and the tick. */
    static Job job(Schedule schedule, Instant tick) {
        Jobs.Builder builder = Jobs.builder(schedule.type())
                .id(jobId(schedule.name(), tick))
                .jsonPayload(schedule.payload())
                .header(SCHEDULE_HEADER, schedule.name())
                .header(TICK_HEADER, tick.toString());
        schedule.orderingKey().ifPresent(builder::orderingKey);
        schedule.maxAttempts().ifPresent(builder::maxAttempts);
        return builder.build();
    }

    /** The deterministic job id of a tick. */
    public static String jobId(String scheduleName, Instant tick) {
        return Ulid.fromName("schedule:" + scheduleName + "@" + tick.toEpochMilli());
    }

    private Counter counter(Schedule schedule, String outcome) {
        return SchedulerMeters.FIRES
                .counter("schedule", schedule.name(), "outcome", outcome)
                .register(meters);
    }

    /** Stops checking and gives up leadership (another replica takes over at once). Idempotent. */
    @Override
    public void close() {
        LeaderElection current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = election;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        tickLog.close();
        if (current != null) {
            current.close();
        }
        LOG.info("scheduler stopped");
    }
}
