package io.jobstream.producer;

import io.jobstream.coordination.Claim;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.coordination.LeaderElection;
import io.jobstream.coordination.LeadershipListener;
import io.jobstream.coordination.Renewal;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
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
 * <p>Replicas elect a leader through the coordination store ({@code jobstream-scheduler}); only the leader fires.
 * A new leader looks back over the misfire grace (but not before its own start) for ticks not yet fired; ticks older
 * than that follow each schedule's {@link MisfirePolicy}.
 * Each fire is claimed in the store under {@code scheduler/<name>/<tick>} before it is published and marked done
 * after the broker acknowledged it, and its job id is deterministic ({@code Ulid.fromName("schedule:<name>@<tick
 * millis>")}). So a tick fires once across leader changes: a new leader looks back over the misfire grace and fires
 * only the ticks not yet done. If a leader dies after publishing but before marking the tick done, the next leader
 * publishes it again under the same job id — the one duplicate the processor's idempotency guard removes.
 *
 * <p>When the store is unreachable nothing fires (fail closed) and the ticks are fired late, within the grace, once
 * it is back. Thread-safe; one scheduling thread per instance.
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

    /** Where fired jobs go: {@link JobPublisher#publishSync} in production. */
    @FunctionalInterface
    interface Sink {
        void publish(String queue, Job job) throws Exception;
    }

    private final SchedulerConfig config;
    private final Sink sink;
    private final Coordination coordination;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<String, Instant> checkedUpTo = new HashMap<>();
    private final AtomicBoolean freshTerm = new AtomicBoolean();
    private final ScheduledExecutorService thread;
    private volatile Instant startedAt;
    private LeaderElection election;
    private boolean closed;

    CronScheduler(SchedulerConfig config, Sink sink, Coordination coordination, Clock clock, MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.coordination = Objects.requireNonNull(coordination, "coordination");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jobstream-scheduler").daemon(false).factory());
        this.startedAt = clock.instant();
    }

    /** A scheduler publishing through {@code publisher} (not closed by the scheduler). */
    public static CronScheduler create(
            SchedulerConfig config, JobPublisher publisher, Coordination coordination, MeterRegistry meters) {
        Objects.requireNonNull(publisher, "publisher");
        return new CronScheduler(config, publisher::publishSync, coordination, Clock.systemUTC(), meters);
    }

    /** A scheduler with a {@link SimpleMeterRegistry}. */
    public static CronScheduler create(SchedulerConfig config, JobPublisher publisher, Coordination coordination) {
        return create(config, publisher, coordination, new SimpleMeterRegistry());
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
        meters.gauge("jobstream.scheduler.leader", this, s -> s.isLeader() ? 1 : 0);
        if (periodic) {
            long every = config.checkInterval().toMillis();
            thread.scheduleWithFixedDelay(this::checkSafely, 0, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("scheduler started schedules={}", config.schedules().size());
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

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("scheduler check failed error={}", e.toString());
        }
    }

    /**
     * One check: when leading, fires every due tick not yet fired; returns how many it published. Runs on the
     * scheduling thread (tests call it directly on a scheduler that was not started).
     */
    int check() {
        if (!isLeader()) {
            checkedUpTo.clear();
            return 0;
        }
        Instant now = clock.instant();
        boolean newTerm = freshTerm.getAndSet(false);
        if (newTerm) {
            checkedUpTo.clear();
        }
        int fired = 0;
        for (Schedule schedule : config.schedules()) {
            Instant graceStart = now.minus(config.misfireGrace());
            // Look back over the grace, but not before this replica started: a fresh deployment does not fire the
            // past; a follower taking over fires what the dead leader missed since then.
            Instant lookback = graceStart.isAfter(startedAt) ? graceStart : startedAt;
            Instant from = checkedUpTo.get(schedule.name());
            if (from == null) {
                from = lookback;
                if (schedule.misfire() == MisfirePolicy.FIRE_ONCE) {
                    Optional<Instant> missed = schedule.lastTick(graceStart);
                    if (missed.isPresent() && fire(schedule, missed.get()) == Fire.PUBLISHED) {
                        fired++;
                    }
                }
            }
            List<Instant> ticks = schedule.ticks(from, now, MAX_TICKS_PER_CHECK);
            Instant confirmed = from;
            for (Instant tick : ticks) {
                Fire result = fire(schedule, tick);
                if (result == Fire.RETRY_LATER) {
                    break;
                }
                if (result == Fire.PUBLISHED) {
                    fired++;
                }
                confirmed = tick;
            }
            checkedUpTo.put(schedule.name(), confirmed);
        }
        return fired;
    }

    private enum Fire {
        PUBLISHED,
        ALREADY_DONE,
        RETRY_LATER
    }

    private Fire fire(Schedule schedule, Instant tick) {
        String claimKey = "scheduler/" + schedule.name() + "/" + tick.toEpochMilli();
        Claim claim;
        try {
            claim = coordination.idempotencyGuard().claim(claimKey, config.leaderLease(), Renewal.MANUAL);
        } catch (CoordinationUnavailableException e) {
            LOG.warn("scheduler cannot claim schedule={} tick={} error={}", schedule.name(), tick, e.getMessage());
            return Fire.RETRY_LATER;
        }
        return switch (claim) {
            case Claim.AlreadyDone done -> Fire.ALREADY_DONE;
            case Claim.InProgressElsewhere elsewhere -> Fire.RETRY_LATER;
            case Claim.Acquired acquired -> publish(schedule, tick, acquired);
        };
    }

    private Fire publish(Schedule schedule, Instant tick, Claim.Acquired claim) {
        Job job = job(schedule, tick);
        try {
            sink.publish(schedule.queue(), job);
        } catch (Exception e) {
            releaseQuietly(claim);
            counter(schedule, "failed").increment();
            LOG.warn(
                    "scheduler publish failed schedule={} tick={} queue={} error={}",
                    schedule.name(),
                    tick,
                    schedule.queue(),
                    e.toString());
            return Fire.RETRY_LATER;
        }
        try {
            claim.markDone(config.retention());
        } catch (RuntimeException e) {
            LOG.warn("scheduler could not mark tick done schedule={} tick={} error={}", schedule.name(), tick, e);
        }
        counter(schedule, "published").increment();
        LOG.info(
                "scheduler fired schedule={} tick={} job={} queue={}",
                schedule.name(),
                tick,
                job.getId(),
                schedule.queue());
        return Fire.PUBLISHED;
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
        return Counter.builder("jobstream.scheduler.fires")
                .description("Ticks the scheduler published (or failed to)")
                .tag("schedule", schedule.name())
                .tag("outcome", outcome)
                .register(meters);
    }

    private static void releaseQuietly(Claim.Acquired claim) {
        try {
            claim.release();
        } catch (RuntimeException e) {
            LOG.debug("releasing a claim failed: {}", e.toString());
        }
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
        if (current != null) {
            current.close();
        }
        LOG.info("scheduler stopped");
    }
}
