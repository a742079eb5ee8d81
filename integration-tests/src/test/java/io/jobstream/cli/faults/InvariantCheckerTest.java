package io.jobstream.cli.faults;

import static io.jobstream.schemas.JobState.DEAD_LETTERED;
import static io.jobstream.schemas.JobState.EXPIRED;
import static io.jobstream.schemas.JobState.FAILED;
import static io.jobstream.schemas.JobState.RETRY_SCHEDULED;
import static io.jobstream.schemas.JobState.STARTED;
import static io.jobstream.schemas.JobState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.cli.faults.History.Accepted;
import io.jobstream.cli.faults.History.Event;
import io.jobstream.cli.faults.History.JobRecord;
import io.jobstream.cli.faults.History.Terminal;
import io.jobstream.cli.faults.InvariantChecker.Kind;
import io.jobstream.cli.faults.InvariantChecker.Report;
import io.jobstream.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvariantCheckerTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration TICK = Duration.ofSeconds(2);

    private final InvariantChecker checker = new InvariantChecker();
    private final List<Accepted> accepted = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<JobRecord> records = new ArrayList<>();
    private final List<String> deadLetters = new ArrayList<>();
    private final Map<String, Duration> schedules = new HashMap<>();
    private final Map<String, String> statuses = new HashMap<>();
    private final List<History.Unacknowledged> unacknowledged = new ArrayList<>();
    private final List<History.Pause> pauses = new ArrayList<>();

    @Test
    void aCleanHistoryHasNoViolationAndCountsItsReRuns() {
        // Given a history of every kind of job done right: plain, keyed, delayed, retried, dead-lettered, expired,
        // ticks
        cleanHistory();

        // When it is checked
        Report report = check();

        // Then nothing is wrong, and the one re-run after a crash is counted, not blamed
        assertThat(report.violations()).as(report.summary()).isEmpty();
        assertThat(report.accepted()).isEqualTo(8);
        assertThat(report.reRuns()).isEqualTo(1);
        assertThat(report.reRunJobs()).isEqualTo(1);
    }

    @Test
    void anAcceptedJobWithoutATerminalStateIsLost() {
        cleanHistory();
        // Given a job that was accepted and started, but never finished anywhere
        accepted.add(Accepted.of("lost-1", Terminal.SUCCEEDED));
        run("lost-1", 1, "w1", 100, -1);

        Report report = check();

        assertThat(report.of(Kind.LOST)).singleElement().satisfies(v -> assertThat(v.subject())
                .isEqualTo("lost-1"));
        assertThat(report.violations()).hasSize(1);
    }

    @Test
    void aStatusApiThatDisagreesWithTheEventsIsCaught() {
        cleanHistory();
        // Given the status API agreeing on two jobs, not knowing a third that the events show finished, and telling
        // a fourth's older state
        statuses.put("plain", "SUCCEEDED");
        statuses.put("doomed", "DEAD_LETTERED");
        statuses.put("flaky", History.UNKNOWN);
        statuses.put("k1-a", "RETRY_SCHEDULED");

        Report report = check();

        // Then the two that disagree are STATUS violations, and nothing else is
        assertThat(report.of(Kind.STATUS))
                .extracting(InvariantChecker.Violation::subject)
                .containsExactlyInAnyOrder("flaky", "k1-a");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void aPublishNeverAnsweredOrAnsweredBothWaysIsAPublishViolation() {
        cleanHistory();
        // Given a batch whose future never completed, and a job reported acknowledged and then failed
        unacknowledged.add(new History.Unacknowledged("silent-1", "JobPublisher", at(100), false));
        unacknowledged.add(new History.Unacknowledged("plain", "JobPublisher", at(100), true));

        Report report = check();

        assertThat(report.of(Kind.PUBLISH))
                .extracting(InvariantChecker.Violation::subject)
                .containsExactlyInAnyOrder("silent-1", "plain");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void aPublishReportedFailedIsNotExpectedAndIsCountedWhenItRanAllTheSame() {
        cleanHistory();
        // Given two publishes reported failed during an outage: one never written, one written after all (a
        // timeout after the broker had it) and run
        unacknowledged.add(new History.Unacknowledged("failed-1", "JobPublisher", at(100), true));
        unacknowledged.add(new History.Unacknowledged("failed-2", "producer", at(100), true));
        run("failed-2", 1, "w1", 200, 210);

        Report report = check();

        // Then neither is lost nor a violation; both count as failed, one as delivered all the same
        assertThat(report.violations()).as(report.summary()).isEmpty();
        assertThat(report.failedPublishes()).isEqualTo(2);
        assertThat(report.failedButDelivered()).isEqualTo(1);
    }

    @Test
    void aTerminalStateOtherThanExpectedIsWrong() {
        cleanHistory();
        // Given a job expected to succeed that was dead-lettered, and one that both succeeded and expired
        accepted.add(Accepted.of("wrong-1", Terminal.SUCCEEDED));
        run("wrong-1", 1, "w1", 100, 110, FAILED);
        event("wrong-1", DEAD_LETTERED, 1, 120, null);
        deadLetters.add("wrong-1");
        accepted.add(Accepted.of("wrong-2", Terminal.SUCCEEDED));
        run("wrong-2", 1, "w1", 130, 140);
        event("wrong-2", EXPIRED, 1, 150, "w2");

        Report report = check();

        assertThat(report.of(Kind.WRONG))
                .extracting(InvariantChecker.Violation::subject)
                .containsExactlyInAnyOrder("wrong-1", "wrong-2");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void twoRetriesOfOneAttemptAreAFork() {
        cleanHistory();
        // Given attempt 1 of a job routed to a retry twice (two lineages of attempt 2)
        accepted.add(Accepted.of("fork-1", Terminal.SUCCEEDED));
        run("fork-1", 1, "w1", 100, 110, FAILED);
        event("fork-1", RETRY_SCHEDULED, 2, 120, null);
        event("fork-1", RETRY_SCHEDULED, 2, 121, null);
        records.add(retryRecord("fork-1", 2, 200));
        records.add(retryRecord("fork-1", 2, 201));
        run("fork-1", 2, "w1", 300, 310);

        Report report = check();

        assertThat(report.of(Kind.FORKED))
                .extracting(InvariantChecker.Violation::detail)
                .containsExactlyInAnyOrder("2 RETRY_SCHEDULED events", "2 retry records in the delay tiers");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void twoDeadLettersForOneJobAreAFork() {
        cleanHistory();
        accepted.add(Accepted.of("fork-2", Terminal.DEAD_LETTERED));
        run("fork-2", 1, "w1", 100, 110, FAILED);
        event("fork-2", DEAD_LETTERED, 1, 120, null);
        event("fork-2", DEAD_LETTERED, 1, 121, null);
        deadLetters.add("fork-2");
        deadLetters.add("fork-2");

        Report report = check();

        assertThat(report.of(Kind.FORKED))
                .extracting(InvariantChecker.Violation::detail)
                .containsExactlyInAnyOrder("2 DEAD_LETTERED events", "2 dead letters");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void overlappingRunsOfOneKeyAreAnOrderViolation() {
        cleanHistory();
        // Given two jobs of key k2 in publish order whose runs overlap on two workers
        accepted.add(Accepted.keyed("k2-a", Terminal.SUCCEEDED, "k2", 0));
        accepted.add(Accepted.keyed("k2-b", Terminal.SUCCEEDED, "k2", 1));
        run("k2-a", 1, "w1", 100, 200);
        run("k2-b", 1, "w2", 150, 250);

        Report report = check();

        assertThat(report.of(Kind.ORDER)).singleElement().satisfies(v -> assertThat(v.detail())
                .startsWith("runs overlap: k2-a attempt 1 on w1"));
        assertThat(report.violations()).hasSize(1);
    }

    @Test
    void aRunUnderWayWhenItsWorkerWasFrozenOverlapsLaterJobsOfItsKeyAsDocumentedButOneStartedAfterIsAViolation() {
        cleanHistory();
        // Given w1 frozen from 120 to 400 while it ran k4-a, which its STARTED event stamps at 130 (the instant before
        // the SIGSTOP took hold: the suite takes the pause's start once kill -STOP has returned) to 410, and w2, the
        // partition's new owner, ran k4-b
        accepted.add(Accepted.keyed("k4-a", Terminal.SUCCEEDED, "k4", 0));
        accepted.add(Accepted.keyed("k4-b", Terminal.SUCCEEDED, "k4", 1));
        accepted.add(Accepted.keyed("k4-c", Terminal.SUCCEEDED, "k4", 2));
        run("k4-a", 1, "w1", 130, 410);
        run("k4-b", 1, "w2", 300, 320);
        // And k4-c, which w1 started after it was let go and k4-a had ended, overlapping w2's run of k4-d
        run("k4-c", 1, "w1", 415, 430);
        accepted.add(Accepted.keyed("k4-d", Terminal.SUCCEEDED, "k4", 3));
        run("k4-d", 1, "w2", 420, 440);
        pauses.add(new History.Pause("w1", at(120), at(400)));

        Report report = check();

        // Then the frozen run's overlap is counted, not a violation
        assertThat(report.frozenOverlaps())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("k4-a attempt 1 on w1")
                .contains("k4-b attempt 1 on w2");
        // And the run w1 started after it was let go, overlapping k4-d on w2, is an order violation
        assertThat(report.of(Kind.ORDER)).singleElement().satisfies(v -> assertThat(v.detail())
                .startsWith("runs overlap: k4-c attempt 1 on w1"));
        assertThat(report.violations()).hasSize(1);
        // And without the pause, both overlaps are violations
        pauses.clear();
        assertThat(check().of(Kind.ORDER)).hasSize(2);
    }

    @Test
    void aLaterJobOfAKeyRunningFirstIsAnOrderViolation() {
        cleanHistory();
        // Given position 1 of key k3 ran before position 0
        accepted.add(Accepted.keyed("k3-a", Terminal.SUCCEEDED, "k3", 0));
        accepted.add(Accepted.keyed("k3-b", Terminal.SUCCEEDED, "k3", 1));
        run("k3-b", 1, "w1", 100, 110);
        run("k3-a", 1, "w1", 120, 130);

        Report report = check();

        assertThat(report.of(Kind.ORDER)).singleElement().satisfies(v -> assertThat(v.detail())
                .startsWith("k3-b (position 1) first ran at"));
        assertThat(report.violations()).hasSize(1);
    }

    @Test
    void aDelayedJobStartedBeforeItsDueTimeIsEarly() {
        cleanHistory();
        accepted.add(Accepted.delayed("early-1", Terminal.SUCCEEDED, at(500)));
        run("early-1", 1, "w1", 499, 510);

        Report report = check();

        assertThat(report.of(Kind.EARLY)).singleElement().satisfies(v -> assertThat(v.detail())
                .contains("1 ms early"));
        assertThat(report.violations()).hasSize(1);
    }

    @Test
    void aRetryStartedBeforeItsTierRecordWasDueIsEarly() {
        cleanHistory();
        accepted.add(Accepted.of("early-2", Terminal.SUCCEEDED));
        run("early-2", 1, "w1", 100, 110, FAILED);
        event("early-2", RETRY_SCHEDULED, 2, 120, null);
        records.add(retryRecord("early-2", 2, 1_000));
        run("early-2", 2, "w1", 600, 610);

        Report report = check();

        assertThat(report.of(Kind.EARLY)).singleElement().satisfies(v -> assertThat(v.detail())
                .startsWith("attempt 2 STARTED"));
        assertThat(report.violations()).hasSize(1);
    }

    @Test
    void aTickFiredTwiceOrSkippedIsAScheduleViolation() {
        cleanHistory();
        // Given schedule "beat": tick 3 published twice, tick 5 never
        schedules.put("beat", TICK);
        for (int tick : new int[] {1, 2, 3, 3, 4, 6}) {
            records.add(tickRecord("beat", tick));
        }

        Report report = check();

        assertThat(report.of(Kind.SCHEDULE))
                .extracting(InvariantChecker.Violation::detail)
                .containsExactlyInAnyOrder(
                        "tick " + T0.plus(TICK.multipliedBy(3)) + " fired 2 times",
                        "skipped: no tick between " + T0.plus(TICK.multipliedBy(4)) + " and "
                                + T0.plus(TICK.multipliedBy(6)) + " (period PT2S)");
        assertThat(report.violations()).hasSize(2);
    }

    @Test
    void aScheduleThatNeverFiredIsAViolation() {
        cleanHistory();
        schedules.put("silent", TICK);

        assertThat(check().of(Kind.SCHEDULE)).singleElement().satisfies(v -> assertThat(v.detail())
                .isEqualTo("no tick fired"));
    }

    /**
     * Eight jobs done right: a plain one; keys k1 (three in order, the first retried behind the others, the second
     * re-run after its first worker died mid-run); a delayed one; one retried once; one dead-lettered; one expired;
     * and four ticks of schedule "heartbeat".
     */
    private void cleanHistory() {
        accepted.add(Accepted.of("plain", Terminal.SUCCEEDED));
        run("plain", 1, "w1", 1, 2);

        accepted.add(Accepted.keyed("k1-a", Terminal.SUCCEEDED, "k1", 0));
        accepted.add(Accepted.keyed("k1-b", Terminal.SUCCEEDED, "k1", 1));
        accepted.add(Accepted.keyed("k1-c", Terminal.SUCCEEDED, "k1", 2));
        run("k1-a", 1, "w1", 10, 11, FAILED);
        event("k1-a", RETRY_SCHEDULED, 2, 12, null);
        records.add(retryRecord("k1-a", 2, 40));
        run("k1-b", 1, "w1", 13, -1); // w1 killed mid-run
        run("k1-b", 1, "w2", 20, 21); // re-run after the rebalance
        run("k1-c", 1, "w2", 22, 23);
        run("k1-a", 2, "w2", 41, 42); // a retry comes back behind later jobs of its key

        accepted.add(Accepted.delayed("delayed", Terminal.SUCCEEDED, at(50)));
        run("delayed", 1, "w2", 50, 51);

        accepted.add(Accepted.of("flaky", Terminal.SUCCEEDED));
        run("flaky", 1, "w1", 30, 31, FAILED);
        event("flaky", RETRY_SCHEDULED, 2, 32, null);
        records.add(retryRecord("flaky", 2, 60));
        records.add(new JobRecord("q", "flaky", 2, false, at(60), null, null));
        run("flaky", 2, "w1", 61, 62);

        accepted.add(Accepted.of("doomed", Terminal.DEAD_LETTERED));
        run("doomed", 1, "w1", 70, 71, FAILED);
        event("doomed", DEAD_LETTERED, 1, 72, null);
        deadLetters.add("doomed");

        accepted.add(Accepted.of("stale", Terminal.EXPIRED));
        event("stale", EXPIRED, 1, 80, "w2");

        schedules.put("heartbeat", TICK);
        for (int tick = 1; tick <= 4; tick++) {
            records.add(tickRecord("heartbeat", tick));
        }
    }

    /** A run from {@code start} to {@code end} ms after T0 ending in SUCCEEDED, or unfinished when end is -1. */
    private void run(String job, int attempt, String worker, long start, long end) {
        run(job, attempt, worker, start, end, SUCCEEDED);
    }

    private void run(String job, int attempt, String worker, long start, long end, JobState outcome) {
        event(job, STARTED, attempt, start, worker);
        if (end >= 0) {
            event(job, outcome, attempt, end, worker);
        }
    }

    private void event(String job, JobState state, int attempt, long at, String worker) {
        events.add(new Event(job, state, attempt, at(at), worker));
    }

    private static JobRecord retryRecord(String job, int attempt, long dueAt) {
        return new JobRecord("q.delay.1s", job, attempt, true, at(dueAt), null, null);
    }

    private static JobRecord tickRecord(String schedule, int n) {
        return new JobRecord("q", "tick-" + n, 1, false, null, schedule, T0.plus(TICK.multipliedBy(n)));
    }

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    private Report check() {
        return checker.check(
                new History(accepted, events, records, deadLetters, schedules, statuses, unacknowledged, pauses));
    }
}
