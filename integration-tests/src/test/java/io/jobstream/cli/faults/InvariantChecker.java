package io.jobstream.cli.faults;

import io.jobstream.cli.faults.History.Accepted;
import io.jobstream.cli.faults.History.Event;
import io.jobstream.cli.faults.History.JobRecord;
import io.jobstream.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a fault run's {@link History} against the guarantees of {@code DESIGN.md}, the way Jepsen's queue checker
 * does: from what the system wrote, not from what its components say about themselves.
 *
 * <ul>
 *   <li><b>lost</b>: an accepted job with no terminal state (no SUCCEEDED, DEAD_LETTERED or EXPIRED event, no dead
 *       letter);
 *   <li><b>wrong</b>: a terminal state other than the one expected, or two different terminal states;
 *   <li><b>forked</b>: one (job, attempt) routed to a retry twice (two RETRY_SCHEDULED events or two delay-tier
 *       records of that attempt), or one job dead-lettered twice (two DEAD_LETTERED events or two {@code .dlq}
 *       records);
 *   <li><b>order</b>: runs of two different jobs of one ordering key that overlap in time, or a job whose first run
 *       began before the first run of a job published before it on its key. The documented exceptions are left out of
 *       the second check: a retry (attempt 2 and later) and a delayed job come back behind later jobs of their key;
 *       and of the first: a run that was under way when its worker was frozen ({@link History.Pause}: SIGSTOP past
 *       the session timeout) goes on when the worker is let go, while the partition's new owner runs later jobs of
 *       its key — no worker can stop a job its process is frozen in. Those overlaps are counted ({@link
 *       Report#frozenOverlaps()}), not violations; a run the frozen worker <em>started</em> after it was let go is
 *       not excepted;
 *   <li><b>early</b>: a run (STARTED, or a worker's outcome event) of a delayed job before its due time, or of a
 *       retry before the due time its delay-tier record carries;
 *   <li><b>schedule</b>: a cron tick whose job was published twice, or a gap between two published ticks of a
 *       schedule longer than its period (a skipped tick);
 *   <li><b>publish</b>: a job whose publish was never answered — its future did not complete, completed
 *       exceptionally instead of with an outcome, or its batch's outcomes lacked it — or a job reported both
 *       acknowledged and failed. A publish reported as failed is no violation (the job is not expected; if it was
 *       written after all, as a timeout allows, it is counted as failed but delivered);
 *   <li><b>re-runs</b>: runs of one (job, attempt) beyond the first — at-least-once after a crash, counted, not a
 *       violation.
 * </ul>
 *
 * <p>A run is a STARTED event paired with the next outcome (SUCCEEDED, FAILED, EXPIRED) of the same job, attempt and
 * worker; a STARTED without one (its worker was killed) is a run of no length. Times are the events' own {@code at}
 * stamps, which every process takes from the same host clock in a fault run. Stateless; thread-safe.
 */
final class InvariantChecker {
    private static final Set<JobState> TERMINAL =
            EnumSet.of(JobState.SUCCEEDED, JobState.DEAD_LETTERED, JobState.EXPIRED);
    private static final Set<JobState> RUN_OUTCOMES = EnumSet.of(JobState.SUCCEEDED, JobState.FAILED, JobState.EXPIRED);
    private static final Set<JobState> WORKER_RUN = EnumSet.of(JobState.STARTED, JobState.SUCCEEDED, JobState.FAILED);

    /** A violation of one invariant. */
    enum Kind {
        LOST,
        WRONG,
        FORKED,
        ORDER,
        EARLY,
        SCHEDULE,
        STATUS,
        PUBLISH
    }

    /** One violation: its kind, the job (or key or schedule) it concerns, and what was seen. */
    record Violation(Kind kind, String subject, String detail) {
        @Override
        public String toString() {
            return kind + " " + subject + ": " + detail;
        }
    }

    /**
     * The checker's verdict.
     *
     * @param accepted how many accepted jobs were checked
     * @param violations every violation found
     * @param reRuns runs beyond the first of one (job, attempt), summed
     * @param reRunJobs how many jobs had at least one re-run
     * @param failedPublishes publishes reported as failed (not acknowledged, not expected)
     * @param failedButDelivered of those, the jobs that reached the workers all the same (a timeout after the write)
     * @param frozenOverlaps overlaps of runs of one key where one run was under way when its worker was frozen (the
     *     documented exception to order per key), described
     */
    record Report(
            int accepted,
            List<Violation> violations,
            int reRuns,
            int reRunJobs,
            int failedPublishes,
            int failedButDelivered,
            List<String> frozenOverlaps) {
        Report {
            violations = List.copyOf(violations);
            frozenOverlaps = List.copyOf(frozenOverlaps);
        }

        /** The violations of {@code kind}. */
        List<Violation> of(Kind kind) {
            return violations.stream().filter(v -> v.kind() == kind).toList();
        }

        /** One line per invariant with its count, then the re-runs, then up to 20 violations. */
        String summary() {
            StringBuilder text = new StringBuilder("accepted=" + accepted);
            for (Kind kind : Kind.values()) {
                text.append(' ')
                        .append(kind.name().toLowerCase(java.util.Locale.ROOT))
                        .append('=')
                        .append(of(kind).size());
            }
            text.append(" re-runs=")
                    .append(reRuns)
                    .append(" (jobs ")
                    .append(reRunJobs)
                    .append(") failed publishes=")
                    .append(failedPublishes)
                    .append(" (delivered all the same ")
                    .append(failedButDelivered)
                    .append(") overlaps of a frozen run=")
                    .append(frozenOverlaps.size());
            violations.stream().limit(20).forEach(v -> text.append("\n  ").append(v));
            return text.toString();
        }
    }

    private record Run(String jobId, int attempt, String workerId, Instant start, Instant end) {
        boolean overlaps(Run other) {
            return start.isBefore(other.end) && other.start.isBefore(end);
        }
    }

    /** Checks {@code history}. */
    Report check(History history) {
        List<Violation> violations = new ArrayList<>();
        Map<String, List<Event>> eventsByJob = history.events().stream()
                .sorted(Comparator.comparing(Event::at))
                .collect(Collectors.groupingBy(Event::jobId, HashMap::new, Collectors.toList()));
        Map<String, Long> deadLettersByJob = history.deadLetters().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        for (Accepted job : history.accepted()) {
            terminal(job, eventsByJob.getOrDefault(job.id(), List.of()), deadLettersByJob, violations);
            status(job, eventsByJob.getOrDefault(job.id(), List.of()), history.statuses(), violations);
        }
        forks(history, deadLettersByJob, violations);
        Map<String, List<Run>> runsByJob = runs(eventsByJob);
        List<String> frozenOverlaps = new ArrayList<>();
        order(history.accepted(), runsByJob, history.pauses(), violations, frozenOverlaps);
        early(history, eventsByJob, violations);
        schedule(history, violations);
        int[] failed = publishes(history, eventsByJob, violations);

        int reRuns = 0;
        int reRunJobs = 0;
        for (List<Event> events : eventsByJob.values()) {
            Map<Integer, Long> runsPerAttempt = events.stream()
                    .filter(e -> e.state() == JobState.STARTED)
                    .collect(Collectors.groupingBy(Event::attempt, Collectors.counting()));
            if (runsPerAttempt.isEmpty()) { // events without STARTED: count the worker's outcomes instead
                runsPerAttempt = events.stream()
                        .filter(e -> e.state() == JobState.SUCCEEDED || e.state() == JobState.FAILED)
                        .collect(Collectors.groupingBy(Event::attempt, Collectors.counting()));
            }
            int extra = runsPerAttempt.values().stream()
                    .mapToInt(n -> (int) (n - 1))
                    .sum();
            reRuns += extra;
            reRunJobs += extra > 0 ? 1 : 0;
        }
        return new Report(
                history.accepted().size(), violations, reRuns, reRunJobs, failed[0], failed[1], frozenOverlaps);
    }

    /**
     * PUBLISH violations: publishes never answered, and jobs reported both acknowledged and failed. Returns the
     * publishes reported as failed and how many of those jobs ran all the same.
     */
    private static int[] publishes(History history, Map<String, List<Event>> eventsByJob, List<Violation> violations) {
        Set<String> acknowledged = history.accepted().stream().map(Accepted::id).collect(Collectors.toSet());
        int failed = 0;
        int delivered = 0;
        for (History.Unacknowledged publish : history.unacknowledged()) {
            if (!publish.answered()) {
                violations.add(new Violation(
                        Kind.PUBLISH,
                        publish.id(),
                        "no outcome from " + publish.channel() + " (given up on at " + publish.at() + ")"));
            } else if (acknowledged.contains(publish.id())) {
                violations.add(new Violation(
                        Kind.PUBLISH, publish.id(), publish.channel() + " reported it both acknowledged and failed"));
            } else {
                failed++;
                delivered += eventsByJob.containsKey(publish.id()) ? 1 : 0;
            }
        }
        return new int[] {failed, delivered};
    }

    private static void terminal(
            Accepted job, List<Event> events, Map<String, Long> deadLetters, List<Violation> violations) {
        Set<JobState> reached = EnumSet.noneOf(JobState.class);
        events.stream().map(Event::state).filter(TERMINAL::contains).forEach(reached::add);
        if (deadLetters.containsKey(job.id())) {
            reached.add(JobState.DEAD_LETTERED);
        }
        if (reached.isEmpty()) {
            violations.add(new Violation(
                    Kind.LOST,
                    job.id(),
                    "expected " + job.expected() + ", no terminal state; events " + states(events)));
        } else if (!reached.equals(EnumSet.of(job.expected().state()))) {
            violations.add(new Violation(
                    Kind.WRONG,
                    job.id(),
                    "expected " + job.expected() + ", reached " + reached + "; events " + states(events)));
        }
    }

    /**
     * What the status API says about a job must be what its events say: the state of its last terminal event (a job
     * with none is LOST already, and not checked again here).
     */
    private static void status(
            Accepted job, List<Event> events, Map<String, String> statuses, List<Violation> violations) {
        String answered = statuses.get(job.id());
        if (answered == null) {
            return; // not asked
        }
        events.stream()
                .filter(e -> TERMINAL.contains(e.state()))
                .reduce((first, second) -> second)
                .filter(last -> !last.state().name().equals(answered))
                .ifPresent(last -> violations.add(new Violation(
                        Kind.STATUS,
                        job.id(),
                        "the status API says " + answered + ", the events end " + last.state() + "; events "
                                + states(events))));
    }

    private static void forks(History history, Map<String, Long> deadLetters, List<Violation> violations) {
        Map<String, Long> retryEvents = history.events().stream()
                .filter(e -> e.state() == JobState.RETRY_SCHEDULED)
                .collect(Collectors.groupingBy(
                        e -> e.jobId() + " attempt " + e.attempt(), TreeMap::new, Collectors.counting()));
        retryEvents.forEach((subject, n) -> {
            if (n > 1) {
                violations.add(new Violation(Kind.FORKED, subject, n + " RETRY_SCHEDULED events"));
            }
        });
        Map<String, Long> retryRecords = history.records().stream()
                .filter(r -> r.delayTier() && r.attempt() > 1)
                .collect(Collectors.groupingBy(
                        r -> r.jobId() + " attempt " + r.attempt(), TreeMap::new, Collectors.counting()));
        retryRecords.forEach((subject, n) -> {
            if (n > 1) {
                violations.add(new Violation(Kind.FORKED, subject, n + " retry records in the delay tiers"));
            }
        });
        Map<String, Long> deadLetteredEvents = history.events().stream()
                .filter(e -> e.state() == JobState.DEAD_LETTERED)
                .collect(Collectors.groupingBy(Event::jobId, TreeMap::new, Collectors.counting()));
        deadLetteredEvents.forEach((job, n) -> {
            if (n > 1) {
                violations.add(new Violation(Kind.FORKED, job, n + " DEAD_LETTERED events"));
            }
        });
        new TreeMap<>(deadLetters).forEach((job, n) -> {
            if (n > 1) {
                violations.add(new Violation(Kind.FORKED, job, n + " dead letters"));
            }
        });
    }

    private static Map<String, List<Run>> runs(Map<String, List<Event>> eventsByJob) {
        Map<String, List<Run>> runs = new HashMap<>();
        eventsByJob.forEach((jobId, events) -> {
            List<Event> open = new ArrayList<>();
            List<Run> jobRuns = new ArrayList<>();
            for (Event event : events) { // in time order
                if (event.state() == JobState.STARTED) {
                    open.add(event);
                } else if (RUN_OUTCOMES.contains(event.state())) {
                    for (int i = 0; i < open.size(); i++) {
                        Event started = open.get(i);
                        if (started.attempt() == event.attempt()
                                && java.util.Objects.equals(started.workerId(), event.workerId())) {
                            open.remove(i);
                            jobRuns.add(
                                    new Run(jobId, started.attempt(), started.workerId(), started.at(), event.at()));
                            break;
                        }
                    }
                }
            }
            for (Event started : open) { // its worker died mid-run: a run of no length
                jobRuns.add(new Run(jobId, started.attempt(), started.workerId(), started.at(), started.at()));
            }
            jobRuns.sort(Comparator.comparing(Run::start));
            runs.put(jobId, jobRuns);
        });
        return runs;
    }

    /**
     * Whether {@code run} was under way while its worker was frozen: it began before the pause ended and ended after it
     * began. (A frozen process starts nothing, so a run that "began" inside a pause began in the instant before the
     * signal took hold; one that began after the pause is not excepted.)
     */
    private static boolean frozenDuring(Run run, List<History.Pause> pauses) {
        return pauses.stream()
                .anyMatch(p -> p.workerId().equals(run.workerId())
                        && run.start().isBefore(p.to())
                        && run.end().isAfter(p.from()));
    }

    private static void order(
            List<Accepted> accepted,
            Map<String, List<Run>> runsByJob,
            List<History.Pause> pauses,
            List<Violation> violations,
            List<String> frozenOverlaps) {
        Map<String, List<Accepted>> byKey = accepted.stream()
                .filter(job -> job.orderingKey() != null)
                .collect(Collectors.groupingBy(Accepted::orderingKey, TreeMap::new, Collectors.toList()));
        byKey.forEach((key, jobs) -> {
            // one at a time: no two runs of different jobs of the key overlap
            List<Run> runs = jobs.stream()
                    .flatMap(job -> runsByJob.getOrDefault(job.id(), List.of()).stream())
                    .sorted(Comparator.comparing(Run::start))
                    .toList();
            for (int i = 0; i < runs.size(); i++) {
                Run a = runs.get(i);
                for (int j = i + 1; j < runs.size() && runs.get(j).start().isBefore(a.end()); j++) {
                    Run b = runs.get(j);
                    if (!a.jobId().equals(b.jobId()) && a.overlaps(b)) {
                        String detail = "runs overlap: " + a.jobId() + " attempt " + a.attempt() + " on " + a.workerId()
                                + " " + a.start() + ".." + a.end() + " and " + b.jobId() + " attempt " + b.attempt()
                                + " on " + b.workerId() + " " + b.start() + ".." + b.end();
                        if (frozenDuring(a, pauses) || frozenDuring(b, pauses)) {
                            frozenOverlaps.add("key " + key + ": " + detail);
                        } else {
                            violations.add(new Violation(Kind.ORDER, "key " + key, detail));
                        }
                    }
                }
            }
            // in publish order: the first runs of first attempts of undelayed jobs begin in position order
            List<Accepted> inOrder = jobs.stream()
                    .filter(job -> job.dueAt() == null)
                    .sorted(Comparator.comparingInt(Accepted::positionInKey))
                    .toList();
            Accepted previous = null;
            Instant previousStart = null;
            for (Accepted job : inOrder) {
                Instant start = runsByJob.getOrDefault(job.id(), List.of()).stream()
                        .filter(run -> run.attempt() == 1)
                        .map(Run::start)
                        .findFirst()
                        .orElse(null);
                if (start == null) {
                    continue; // never ran (expired before it could)
                }
                if (previousStart != null && start.isBefore(previousStart)) {
                    violations.add(new Violation(
                            Kind.ORDER,
                            "key " + key,
                            job.id() + " (position " + job.positionInKey() + ") first ran at " + start + ", before "
                                    + previous.id() + " (position " + previous.positionInKey() + ") at "
                                    + previousStart));
                }
                previous = job;
                previousStart = start;
            }
        });
    }

    private static void early(History history, Map<String, List<Event>> eventsByJob, List<Violation> violations) {
        Map<String, Instant> due = new HashMap<>(); // "job attempt" -> due time
        for (Accepted job : history.accepted()) {
            if (job.dueAt() != null) {
                due.put(job.id() + " attempt 1", job.dueAt());
            }
        }
        for (JobRecord record : history.records()) {
            if (record.dueAt() != null) {
                due.merge(
                        record.jobId() + " attempt " + record.attempt(),
                        record.dueAt(),
                        (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        eventsByJob.forEach((jobId, events) -> {
            Set<Integer> reported = new TreeSet<>();
            for (Event event : events) { // in time order: the earliest early event of each attempt is reported
                Instant dueAt = due.get(jobId + " attempt " + event.attempt());
                if (dueAt != null
                        && WORKER_RUN.contains(event.state())
                        && event.at().isBefore(dueAt)
                        && reported.add(event.attempt())) {
                    violations.add(new Violation(
                            Kind.EARLY,
                            jobId,
                            "attempt " + event.attempt() + " " + event.state() + " at " + event.at() + ", due at "
                                    + dueAt + " ("
                                    + Duration.between(event.at(), dueAt).toMillis() + " ms early)"));
                }
            }
        });
    }

    private static void schedule(History history, List<Violation> violations) {
        Map<String, Map<Instant, Long>> ticks = history.records().stream()
                .filter(r -> r.schedule() != null && r.tick() != null && !r.delayTier() && r.attempt() == 1)
                .collect(Collectors.groupingBy(
                        JobRecord::schedule,
                        TreeMap::new,
                        Collectors.groupingBy(JobRecord::tick, TreeMap::new, Collectors.counting())));
        history.schedulePeriods().forEach((name, period) -> {
            Map<Instant, Long> fired = ticks.getOrDefault(name, Map.of());
            if (fired.isEmpty()) {
                violations.add(new Violation(Kind.SCHEDULE, name, "no tick fired"));
                return;
            }
            fired.forEach((tick, n) -> {
                if (n > 1) {
                    violations.add(new Violation(Kind.SCHEDULE, name, "tick " + tick + " fired " + n + " times"));
                }
            });
            Instant previous = null;
            for (Instant tick : new TreeSet<>(fired.keySet())) {
                if (previous != null && Duration.between(previous, tick).compareTo(period) > 0) {
                    violations.add(new Violation(
                            Kind.SCHEDULE,
                            name,
                            "skipped: no tick between " + previous + " and " + tick + " (period " + period + ")"));
                }
                previous = tick;
            }
        });
    }

    private static List<String> states(List<Event> events) {
        return events.stream().map(e -> e.state() + "#" + e.attempt()).toList();
    }
}
