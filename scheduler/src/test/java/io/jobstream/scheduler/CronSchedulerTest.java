package io.jobstream.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.coordination.Coordination;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.scheduler.internal.TickLog;
import io.jobstream.scheduler.internal.TickLogUnusableException;
import io.jobstream.schemas.Job;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CronSchedulerTest {
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final Coordination coordination = Coordination.inMemory(Clock.systemUTC());
    private final InMemoryTickLog tickLog = new InMemoryTickLog();
    private final List<Job> published = tickLog.published();
    private final List<CronScheduler> schedulers = new ArrayList<>();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        schedulers.forEach(CronScheduler::close);
        coordination.close();
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(meters, List.of(SchedulerMeters.values())))
                .isEmpty();
    }

    private CronScheduler scheduler(Schedule schedule, Coordination store) {
        SchedulerConfig config = SchedulerConfig.builder()
                .schedules(List.of(schedule))
                .leaderLease(Duration.ofSeconds(2))
                .checkInterval(Duration.ofSeconds(1))
                .misfireGrace(Duration.ofMinutes(1))
                .build();
        CronScheduler scheduler = new CronScheduler(config, tickLog.writer(), store, clock, meters);
        schedulers.add(scheduler);
        return scheduler.start(false); // the test drives check() itself
    }

    private CronScheduler scheduler(Schedule schedule) {
        return scheduler(schedule, coordination);
    }

    private static Schedule every10s() {
        return Schedule.of("report", "@every 10s", "jobs", "log").withPayload("{\"report\":true}");
    }

    @Test
    void aScheduleWhoseJobsThePublisherWouldRefuseFailsAtStartUpNamingTheField() {
        // When schedules with a type or key no job may carry are made / Then each fails now, naming the field
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Schedule.of("report", "@every 10s", "jobs", "send\nreport"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedule report")
                .hasMessageContaining("'type'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Schedule(
                        "report",
                        "@every 10s",
                        null,
                        "jobs",
                        "log",
                        null,
                        java.util.Optional.of("k".repeat(10_000)),
                        java.util.Optional.empty(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orderingKey'");
    }

    @Test
    void firesEachTickOnceWithADeterministicIdAndHeaders() {
        // Given a leading scheduler with an @every 10s schedule
        CronScheduler scheduler = scheduler(every10s());
        await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

        // When time moves 35 s on and the leader checks twice
        clock.set(T0.plusSeconds(35));
        int first = scheduler.check();
        int second = scheduler.check();

        // Then the ticks at +10, +20, +30 fired once each
        assertThat(first).isEqualTo(3);
        assertThat(second).isZero();
        assertThat(published)
                .extracting(Job::getId)
                .containsExactly(
                        CronScheduler.jobId("report", T0.plusSeconds(10)),
                        CronScheduler.jobId("report", T0.plusSeconds(20)),
                        CronScheduler.jobId("report", T0.plusSeconds(30)));
        Job job = published.getFirst();
        assertThat(job.getType()).isEqualTo("log");
        assertThat(job.getHeaders())
                .containsEntry(CronScheduler.SCHEDULE_HEADER, "report")
                .containsEntry(CronScheduler.TICK_HEADER, T0.plusSeconds(10).toString());
    }

    @Test
    void onlyTheLeaderFiresAndAFollowerTakingOverFiresOnlyWhatWasMissed() {
        // Given two replicas; the first leads
        CronScheduler first = scheduler(every10s());
        await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
        CronScheduler second = scheduler(every10s());

        // When the leader fires up to +20 s and the follower checks too
        clock.set(T0.plusSeconds(25));
        assertThat(first.check()).isEqualTo(2);
        assertThat(second.check()).isZero();

        // And the leader goes away; 30 s later the follower leads
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(second::isLeader);
        clock.set(T0.plusSeconds(55));
        int takeover = second.check();

        // Then the follower fired +30, +40, +50 — nothing twice
        assertThat(takeover).isEqualTo(3);
        assertThat(published).extracting(Job::getId).doesNotHaveDuplicates().hasSize(5);
    }

    @Test
    void aFailedPublishIsRetriedAndFiresOnce() {
        // Given a tick log that refuses its first write
        tickLog.refuse(1);
        CronScheduler scheduler = scheduler(every10s());
        await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

        // When the tick at +10 s is due and checked twice
        clock.set(T0.plusSeconds(12));
        assertThat(scheduler.check()).isZero();
        assertThat(scheduler.check()).isEqualTo(1);

        // Then it was published once
        assertThat(published).extracting(Job::getId).containsExactly(CronScheduler.jobId("report", T0.plusSeconds(10)));
    }

    /** A started scheduler (its own thread, checking every 50 ms) on {@code log}. */
    private CronScheduler running(TickLog log) {
        SchedulerConfig config = SchedulerConfig.of(List.of(every10s())).toBuilder()
                .leaderLease(Duration.ofSeconds(2))
                .checkInterval(Duration.ofMillis(50))
                .misfireGrace(Duration.ofMinutes(1))
                .build();
        CronScheduler scheduler = new CronScheduler(config, log, coordination, clock, meters);
        schedulers.add(scheduler);
        return scheduler.start();
    }

    /** A tick log whose {@code open()} throws what {@code failure} gives for the n-th open (null: opens). */
    private static final class FailingTickLog implements TickLog {
        private final IntFunction<RuntimeException> failure;
        private final AtomicInteger opens = new AtomicInteger();

        FailingTickLog(IntFunction<RuntimeException> failure) {
            this.failure = failure;
        }

        @Override
        public Map<String, Instant> open() {
            RuntimeException e = failure.apply(opens.incrementAndGet());
            if (e != null) {
                throw e;
            }
            return Map.of();
        }

        @Override
        public void fire(String schedule, Instant tick, String queue, Job job) {
            throw new LinkageError("the tick log's classes are broken");
        }

        @Override
        public void close() {}
    }

    @Test
    void aTickLogThatCanNeverWorkStopsTheSchedulerForGoodAndSaysWhy() {
        // Given a tick log whose marker topic cannot hold markers (it is not compacted)
        FailingTickLog log = new FailingTickLog(n -> new TickLogUnusableException(
                "the marker topic jobstream.schedules has cleanup.policy=delete; it must be compact"));

        // When a leading scheduler checks
        CronScheduler scheduler = running(log);

        // Then it reports that it has stopped, naming the reason
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.failure().isPresent());
        assertThat(scheduler.failure())
                .hasValueSatisfying(reason -> assertThat(reason).contains("cleanup.policy=delete"));
        // And it does not try the log again
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> log.opens.get() == 1);
    }

    @Test
    void aSchedulingThreadThatDiesIsReportedAsStopped() {
        // Given a tick log that opens, whose first fire throws an Error (not an exception the check survives)
        FailingTickLog log = new FailingTickLog(n -> null);
        CronScheduler scheduler = running(log);
        await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

        // When a tick is due
        clock.set(T0.plusSeconds(12));

        // Then the scheduler reports that its thread stopped, naming the error
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.failure().isPresent());
        assertThat(scheduler.failure())
                .hasValueSatisfying(reason ->
                        assertThat(reason).contains("LinkageError").contains("the tick log's classes are broken"));
    }

    @Test
    void aTickLogThatIsDownForAWhileIsRetriedAndIsNoFailure() {
        // Given a tick log that cannot be opened twice (a broker down), then opens
        FailingTickLog log = new FailingTickLog(n -> n <= 2 ? new IllegalStateException("broker down") : null);

        // When a leading scheduler checks
        CronScheduler scheduler = running(log);

        // Then it tries again until the log opens, and never reports a failure
        await().atMost(Duration.ofSeconds(10)).until(() -> log.opens.get() >= 3);
        assertThat(scheduler.failure()).isEmpty();
    }

    @Test
    void aClosedSchedulerReportsNoFailure() {
        // Given a running scheduler
        CronScheduler scheduler = running(new FailingTickLog(n -> null));
        await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

        // When it is closed on request
        scheduler.close();

        // Then it has not failed
        assertThat(scheduler.failure()).isEmpty();
    }

    @Test
    void aFreshDeploymentDoesNotFireThePastButFireOnceCatchesUpOneMissedTick() {
        // Given a daily 09:00 schedule, and a replica starting at 09:30 (so the 09:00 tick was missed)
        clock.set(T0.plusSeconds(1800));
        CronScheduler skipping = scheduler(Schedule.of("daily", "0 9 * * *", "jobs", "log"));
        await().atMost(Duration.ofSeconds(10)).until(skipping::isLeader);

        // Then with the default (skip) nothing fires
        assertThat(skipping.check()).isZero();
        skipping.close();

        // When a fire-once schedule starts the same way
        CronScheduler catchingUp = scheduler(Schedule.of("daily-once", "@daily", "jobs", "log")
                .withMisfire(MisfirePolicy.FIRE_ONCE)
                .withZone(ZoneId.of("Europe/Paris")));
        await().atMost(Duration.ofSeconds(10)).until(catchingUp::isLeader);

        // Then the latest missed tick (midnight in Paris) fires once
        assertThat(catchingUp.check()).isEqualTo(1);
        assertThat(catchingUp.check()).isZero();
        assertThat(published)
                .extracting(Job::getId)
                .containsExactly(CronScheduler.jobId("daily-once", Instant.parse("2026-11-21T23:00:00Z")));
    }

    @Test
    void aFireOnceCatchUpThatWasRefusedIsRetried() {
        // Given a daily fire-once schedule whose 09:00 tick was missed, and a tick log that refuses its first write
        clock.set(T0.plusSeconds(1800));
        tickLog.refuse(1);
        CronScheduler scheduler =
                scheduler(Schedule.of("daily-once", "0 9 * * *", "jobs", "log").withMisfire(MisfirePolicy.FIRE_ONCE));
        await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

        // When the leader checks, the catch-up is refused, and it checks again
        int refused = scheduler.check();
        int retried = scheduler.check();

        // Then the missed tick fired on the second check, once
        assertThat(refused).isZero();
        assertThat(retried).isEqualTo(1);
        assertThat(published).extracting(Job::getId).containsExactly(CronScheduler.jobId("daily-once", T0));
    }

    @Test
    void aLeaderOnAStoreThatLostItsDataFiresOnlyAfterTheLastFiredTick() {
        // Given a replica started at T0 on a store that knows nothing of earlier claims (as after a restart without
        // persistence), and a leader that fired +10 and +20 s
        try (Coordination emptied = Coordination.inMemory(Clock.systemUTC())) {
            CronScheduler first = scheduler(every10s());
            CronScheduler next = scheduler(every10s(), emptied);
            await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
            clock.set(T0.plusSeconds(25));
            assertThat(first.check()).isEqualTo(2);

            // When the first goes away and the replica on the emptied store checks at +35 s
            first.close();
            await().atMost(Duration.ofSeconds(10)).until(next::isLeader);
            clock.set(T0.plusSeconds(35));
            int fired = next.check();

            // Then it fires +30 s only: the fired ticks are read from the tick log, not from the store
            assertThat(fired).isEqualTo(1);
            assertThat(published)
                    .extracting(Job::getId)
                    .containsExactly(
                            CronScheduler.jobId("report", T0.plusSeconds(10)),
                            CronScheduler.jobId("report", T0.plusSeconds(20)),
                            CronScheduler.jobId("report", T0.plusSeconds(30)));
            next.close();
        }
    }

    @Test
    void twoReplicasThatBothBelieveTheyLeadFenceEachOtherAndFireNoTickTwice() {
        // Given two replicas each leading on a store of its own (as when the store restarted empty under them)
        try (Coordination other = Coordination.inMemory(Clock.systemUTC())) {
            CronScheduler first = scheduler(every10s());
            CronScheduler second = scheduler(every10s(), other);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.isLeader() && second.isLeader());

            // When both check, in turns, while time passes
            clock.set(T0.plusSeconds(15));
            int fired = first.check();
            clock.set(T0.plusSeconds(25));
            fired += second.check();
            clock.set(T0.plusSeconds(35));
            fired += first.check(); // fenced by the second: writes nothing
            fired += first.check(); // opens again, reads what the second fired
            fired += second.check(); // fenced by the first
            clock.set(T0.plusSeconds(45));
            fired += second.check();
            fired += second.check();

            // Then every tick fired once, in order
            assertThat(fired).isEqualTo(4);
            assertThat(published)
                    .extracting(Job::getId)
                    .containsExactly(
                            CronScheduler.jobId("report", T0.plusSeconds(10)),
                            CronScheduler.jobId("report", T0.plusSeconds(20)),
                            CronScheduler.jobId("report", T0.plusSeconds(30)),
                            CronScheduler.jobId("report", T0.plusSeconds(40)));
            first.close();
            second.close();
        }
    }

    @Test
    void readsSchedulesFromConfigAndNamesTheKeyOfABadOne() {
        // Given a config file with one good and two bad schedules
        Config good = ConfigLoader.forDefinition(SchedulerConfig.DEFINITION)
                .withOverrides(Map.of(
                        "jobstream.scheduler.schedules.nightly.cron", "0 2 * * *",
                        "jobstream.scheduler.schedules.nightly.queue", "reports",
                        "jobstream.scheduler.schedules.nightly.type", "build_report",
                        "jobstream.scheduler.schedules.nightly.zone", "America/New_York",
                        "jobstream.scheduler.schedules.nightly.misfire", "fire-once"))
                .load();
        Config bad = ConfigLoader.forDefinition(SchedulerConfig.DEFINITION)
                .withOverrides(Map.of(
                        "jobstream.scheduler.schedules.broken.cron", "61 * * * *",
                        "jobstream.scheduler.schedules.broken.queue", "reports",
                        "jobstream.scheduler.schedules.broken.type", "x",
                        "jobstream.scheduler.schedules.typo.crn", "@hourly"))
                .load();

        // Then
        Schedule nightly = SchedulerConfig.from(good).schedules().getFirst();
        assertThat(nightly.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(nightly.misfire()).isEqualTo(MisfirePolicy.FIRE_ONCE);
        assertThatThrownBy(() -> SchedulerConfig.from(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.scheduler.schedules.broken")
                .hasMessageContaining("61 * * * *")
                .hasMessageContaining("jobstream.scheduler.schedules.typo.crn");
    }

    @Test
    void theMarkerTopicDefaultsToJobstreamSchedulesAndABadNameIsRefusedNamingTheKey() {
        // Given the default config, one with a marker topic of its own, and one with a name Kafka refuses
        Config own = ConfigLoader.forDefinition(SchedulerConfig.DEFINITION)
                .withOverrides(Map.of("jobstream.scheduler.marker-topic", "billing.schedules"))
                .load();
        ConfigLoader bad = ConfigLoader.forDefinition(SchedulerConfig.DEFINITION)
                .withOverrides(Map.of("jobstream.scheduler.marker-topic", "billing schedules"));

        // Then
        assertThat(SchedulerConfig.of(List.of()).markerTopic()).isEqualTo("jobstream.schedules");
        assertThat(SchedulerConfig.from(own).markerTopic()).isEqualTo("billing.schedules");
        assertThatThrownBy(bad::load)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.scheduler.marker-topic")
                .hasMessageContaining("billing schedules");
        assertThatThrownBy(() -> SchedulerConfig.builder()
                        .markerTopic("billing schedules")
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobstream.scheduler.marker-topic");
    }

    @Test
    void cronExpressionsAndMacrosGiveTheirTicks() {
        Schedule weekdays = Schedule.of("w", "0 9 * * 1-5", "jobs", "log");
        // 2026-11-22 is a Sunday: no tick that day after 09:00; Monday and Tuesday at 09:00
        assertThat(weekdays.ticks(T0, T0.plus(Duration.ofDays(2)), 10))
                .containsExactly(Instant.parse("2026-11-23T09:00:00Z"), Instant.parse("2026-11-24T09:00:00Z"));
        assertThat(Schedule.of("h", "@hourly", "jobs", "log").ticks(T0, T0.plusSeconds(7200), 10))
                .containsExactly(T0.plusSeconds(3600), T0.plusSeconds(7200));
        assertThatThrownBy(() -> Schedule.of("e", "@every 5 fortnights", "jobs", "log"))
                .hasMessageContaining("@every");
    }
}
