package io.jobstream.cli.faults;

import static io.jobstream.cli.faults.TopicReader.consumer;
import static io.jobstream.cli.faults.TopicReader.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.cli.faults.History.Accepted;
import io.jobstream.cli.faults.History.Event;
import io.jobstream.cli.faults.History.JobRecord;
import io.jobstream.cli.faults.History.Terminal;
import io.jobstream.cli.faults.InvariantChecker.Kind;
import io.jobstream.cli.faults.InvariantChecker.Report;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JarProcesses;
import io.jobstream.testkit.JarProcesses.Run;
import io.jobstream.testkit.JarProcesses.Service;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue-19 fault suite, CI-sized: a deployment of the packaged jar as processes (the API, three workers with a 2 s
 * revoke timeout, the dlq-service, two schedulers) around a 3-broker KRaft cluster (RF 3, {@code min.insync.replicas}
 * 2) and a redis-server without persistence, fed jobs over HTTP, through {@link JobPublisher} (5 s delivery timeout)
 * and by a plain Kafka producer (JSON envelopes) — jobs that succeed, fail once then succeed, always fail
 * (dead-lettered), are delayed, are expired, run past the revoke timeout, share ordering keys — plus a cron schedule.
 * Seven strikes, three of them two faults at once: SIGKILL of a worker; SIGTERM of a worker while a long job runs (the
 * group rebalances under it); SIGSTOP of a worker past the session timeout; a worker SIGKILLed while the partition-0
 * leader broker is down; the scheduler leader SIGKILLed during a redis-server restart; the dlq-service SIGKILLed while
 * a worker is stopped; two of three brokers paused past the publisher's delivery timeout. Then the {@link
 * InvariantChecker} reads the topics and the status API: nothing lost, nothing wrong, nothing forked, key order kept,
 * nothing early, every tick once, every publish answered; re-runs, failed publishes and the time until a stopped
 * worker's partitions resumed are printed. {@code -Dfaults.duration} runs random faults instead (the long run), {@code
 * -Dfaults.static-membership=true} makes the workers static members. See {@code docs/RELIABILITY.md}.
 */
class FaultSuiteIT {
    private static final Path JAR = Path.of("..", "cli", "target", "jobstream.jar");
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String TOKEN = "faults-secret-0123456789";
    private static final Duration TICK = Duration.ofSeconds(2);
    private static final Duration DELAY = Duration.ofSeconds(2);
    /**
     * The workers' {@code jobstream.worker.revoke-timeout} (10 s by default), short so that a long job outlasts it: a
     * rebalance then gives up a partition while its job still runs, and the next owner runs it again.
     */
    private static final Duration REVOKE_TIMEOUT = Duration.ofSeconds(2);
    /** How long a long job sleeps: past {@link #REVOKE_TIMEOUT}. */
    private static final Duration LONG_JOB = Duration.ofSeconds(4);

    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    /** Jobs per round of each of the three publishers; a round every ~500 ms while the faults run. */
    private static final int PER_ROUND = 5;
    /**
     * {@code -Dfaults.duration=PT10M}: the long run by hand — random faults (seed printed, {@code -Dfaults.seed} to
     * repeat) until the duration is over, instead of each fault once.
     */
    private static final Duration LONG_RUN = System.getProperty("faults.duration") == null
            ? null
            : Duration.parse(System.getProperty("faults.duration"));
    /**
     * {@code -Dfaults.static-membership=true}: every worker is a static member ({@code jobstream.worker.instance-id},
     * one per worker slot), and a worker that is replaced comes back with the instance id of the one it replaces.
     */
    private static final boolean STATIC_MEMBERSHIP = Boolean.getBoolean("faults.static-membership");
    /**
     * The suite's {@link JobPublisher}'s {@code delivery.timeout.ms} (2 minutes by default): short, so that a broker
     * outage longer than it fails publishes, which must be reported as failed.
     */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);
    /** How long the outage fault pauses two of the three brokers: past {@link #DELIVERY_TIMEOUT}. */
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    /** The processes' logs; kept when the test fails (its path is printed). */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    /** The deployment's processes by name (api, worker-0, ...), and the jar they run from. */
    private final Map<String, Service> services = new ConcurrentSkipListMap<>();

    private JarProcesses processes;
    private KafkaCluster cluster;
    private String queueName;
    private JarProcesses commands;
    private final List<String> workers = new CopyOnWriteArrayList<>();
    private final List<String> schedulers = new CopyOnWriteArrayList<>();
    private volatile String dlqService;
    /** Held while the dlq-service is killed and replaced, by a fault or by the supervisor. */
    private final Object dlqServiceLock = new Object();
    /** Every dlq-service that exited on its own and was started again by the supervisor, with its last words. */
    private final List<String> supervisedRestarts = new CopyOnWriteArrayList<>();
    /** Every SIGSTOP..SIGCONT of a worker, for the checker's documented exception to order per key. */
    private final List<History.Pause> frozen = new CopyOnWriteArrayList<>();
    /**
     * How long the suite waits, at the end, for every accepted job to reach a terminal state: long enough for a stalled
     * router to be noticed (the default {@code jobstream.dlq.router.stall-timeout}, 2 minutes) and its dlq-service
     * started again.
     */
    private static final Duration DRAIN = Duration.ofMinutes(4);

    private Thread follower;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);

    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private final List<History.Unacknowledged> unacknowledged = new CopyOnWriteArrayList<>();
    /** Each worker's {@code jobstream.worker.instance-id} (static membership only). */
    private final Map<String, String> instanceIds = new ConcurrentHashMap<>();
    /** Every worker stopped by a fault, for the time until each of its partitions resumed. */
    private final List<WorkerStop> stops = new CopyOnWriteArrayList<>();
    /** The queue partition of each job (its record on the queue topic), read with the history. */
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();

    private final Map<String, JobState> terminal = new ConcurrentHashMap<>();
    private final List<Event> eventLog = new CopyOnWriteArrayList<>();
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    /** The ids of the long jobs published (accepted or not), and of those running now (STARTED, no outcome yet). */
    private final Set<String> longJobs = ConcurrentHashMap.newKeySet();

    private final Set<String> longJobsRunning = ConcurrentHashMap.newKeySet();
    private final List<String> faults = new ArrayList<>();
    private final NavigableMap<Instant, String> struck = new ConcurrentSkipListMap<>();
    /** Per fault kind: from the strike until 60 more jobs had finished, in ms, per time struck. */
    private final Map<String, List<Long>> recoveries = new LinkedHashMap<>();

    @AfterEach
    void endEveryProcess() throws InterruptedException {
        publishing.set(false);
        if (follower != null) {
            follower.interrupt();
        }
        if (processes != null) {
            processes.killAll(); // SIGKILL ends a SIGSTOPped process too
        }
        http.close();
    }

    @BeforeEach
    void packagedJar() {
        processes = JarProcesses.of(JAR, dir, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");
        commands = JarProcesses.of(JAR, dir, "-XX:TieredStopAtLevel=1");
    }

    @Test
    void everyInvariantHoldsWhileWorkersTheDlqServiceABrokerRedisAndASchedulerFail() throws Exception {
        long began = System.nanoTime();
        String queue = "faults-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (KafkaCluster kafka = KafkaCluster.builder()
                        .name("faults")
                        .brokers(3)
                        .brokerProperty("min.insync.replicas", "2")
                        .build()
                        .start();
                RedisServer redis = RedisServer.builder().name("faults").build().start()) {
            String bootstrap = kafka.bootstrapServers();
            cluster = kafka;
            queueName = queue;

            // Given the queue's topics, 3 partitions each, replicated 3 times
            Run topics = commands.run(
                    "topics",
                    "create",
                    "--bootstrap-servers",
                    bootstrap,
                    "--queue",
                    queue,
                    "--partitions",
                    "3",
                    "--replication",
                    "3");
            assertThat(topics.exit()).as(topics.text()).isZero();

            // And the deployment: the API, three workers, the dlq-service, two schedulers
            launch(
                    "api",
                    "api",
                    "--bootstrap-servers",
                    bootstrap,
                    "--config",
                    apiConfig(queue).toString(),
                    "--port",
                    "0");
            for (int i = 0; i < 3; i++) {
                workers.add(launchWorker(bootstrap, queue, "slot-" + i));
            }
            dlqService = launchDlqService(bootstrap, queue);
            Path schedules = Files.writeString(dir.resolve("scheduler.yaml"), """
                    jobstream:
                      scheduler:
                        leader-lease: 3s
                        schedules:
                          beat: {cron: "@every 2s", queue: %s, type: noop}
                    """.formatted(queue));
            for (int i = 0; i < 2; i++) {
                schedulers.add(launchScheduler(bootstrap, schedules, redis));
            }
            String api = awaitStarted("api", "jobstream api:");
            for (String name : services.keySet()) {
                awaitStarted(name, "jobstream " + name.replaceAll("-\\d+$", "") + ":");
            }
            await().atMost(STEP).until(() -> get(api + "/ready").statusCode() == 200);
            System.out.printf("fault-suite: deployment up after %d s%n", seconds(began));

            // When three publishers feed it while one fault after another strikes
            follower = Thread.ofVirtual().start(() -> follow(kafka, Topics.events(queue)));
            Thread supervisor = Thread.ofVirtual().start(() -> superviseDlqService(bootstrap, queue));
            List<Thread> publishers = List.of(
                    Thread.ofVirtual().start(() -> overHttp(api, queue)),
                    Thread.ofVirtual().start(() -> throughJobPublisher(bootstrap, queue)),
                    Thread.ofVirtual().start(() -> byPlainProducer(bootstrap, queue)));
            awaitProgress(100);

            Map<String, Fault> kinds = new LinkedHashMap<>();
            kinds.put("SIGKILL a worker (a new one started)", () -> replaceWorker("KILL", bootstrap, queue));
            kinds.put("SIGTERM a worker (a new one started) while a job runs past the 2 s revoke timeout", () -> {
                awaitLongJobRunning(); // the new worker's joining revokes partitions under a long job
                replaceWorker("TERM", bootstrap, queue);
            });
            kinds.put("SIGSTOP a worker for 12 s (past the 10 s session timeout), then SIGCONT", () -> {
                String paused = workers.getFirst();
                stops.add(new WorkerStop(lastStruck(), paused, Instant.now(), Instant.now(), assigned(paused)));
                signal(paused, "STOP");
                Instant stopped = Instant.now(); // kill -STOP has returned: frozen by now
                pause(Duration.ofSeconds(12)); // the pause is the fault
                frozen.add(new History.Pause(paused, stopped, Instant.now())); // before SIGCONT: still frozen
                signal(paused, "CONT");
            });
            kinds.put("SIGKILL the dlq-service (a new one started)", () -> {
                synchronized (dlqServiceLock) {
                    kill(dlqService);
                    dlqService = launchDlqService(bootstrap, queue);
                }
            });
            kinds.put("SIGKILL the partition-0 leader broker, then its restart", () -> {
                int leader = kafka.partitions(queue).get(0).leader().id();
                kafka.kill(leader);
                awaitProgress(60);
                kafka.restart(leader);
            });
            kinds.put("redis-server restart without persistence", redis::restart);
            kinds.put("SIGKILL the scheduler leader (a new scheduler started)", () -> {
                String leader = schedulerLeader();
                kill(leader);
                schedulers.remove(leader);
                schedulers.add(launchScheduler(bootstrap, schedules, redis));
            });
            kinds.put("SIGSTOP two of three brokers for 8 s (past the publisher's 5 s delivery timeout)", () -> {
                List<Integer> paused = kafka.brokerIds().stream().limit(2).toList();
                paused.forEach(kafka::pause);
                pause(OUTAGE);
                paused.forEach(kafka::resume);
            });
            // combined: two faults at once
            kinds.put("SIGKILL a worker while the partition-0 leader broker is down, then the broker's restart", () -> {
                int leader = kafka.partitions(queue).get(0).leader().id();
                kafka.kill(leader);
                replaceWorker("KILL", bootstrap, queue);
                awaitProgress(30);
                kafka.restart(leader);
            });
            kinds.put("SIGKILL the scheduler leader during a redis-server restart (a new scheduler started)", () -> {
                String leader = schedulerLeader();
                kill(leader);
                redis.restart();
                schedulers.remove(leader);
                schedulers.add(launchScheduler(bootstrap, schedules, redis));
            });
            kinds.put(
                    "SIGKILL the dlq-service while a worker is SIGSTOPped for 12 s (a new dlq-service started)", () -> {
                        String paused = workers.getFirst();
                        stops.add(new WorkerStop(lastStruck(), paused, Instant.now(), Instant.now(), assigned(paused)));
                        signal(paused, "STOP");
                        Instant stopped = Instant.now(); // kill -STOP has returned: frozen by now
                        synchronized (dlqServiceLock) {
                            kill(dlqService);
                            dlqService = launchDlqService(bootstrap, queue);
                        }
                        pause(Duration.ofSeconds(12));
                        frozen.add(new History.Pause(paused, stopped, Instant.now())); // before SIGCONT
                        signal(paused, "CONT");
                    });
            // the CI run: every fault kind at least once; the broker, redis and dlq-service kills only combined
            List<String> ciRun = List.of(
                    "SIGKILL a worker (a new one started)",
                    "SIGTERM a worker (a new one started) while a job runs past the 2 s revoke timeout",
                    "SIGSTOP a worker for 12 s (past the 10 s session timeout), then SIGCONT",
                    "SIGKILL a worker while the partition-0 leader broker is down, then the broker's restart",
                    "SIGKILL the scheduler leader during a redis-server restart (a new scheduler started)",
                    "SIGKILL the dlq-service while a worker is SIGSTOPped for 12 s (a new dlq-service started)",
                    "SIGSTOP two of three brokers for 8 s (past the publisher's 5 s delivery timeout)");
            if (LONG_RUN == null) {
                for (String name : ciRun) { // one after another
                    fault(name, kinds.get(name));
                }
            } else {
                long seed = Long.getLong("faults.seed", System.nanoTime());
                System.out.printf("fault-suite: long run of %s, seed %d (-Dfaults.seed=%d)%n", LONG_RUN, seed, seed);
                Random random = new Random(seed);
                List<String> names = List.copyOf(kinds.keySet());
                long until = System.nanoTime() + LONG_RUN.toNanos();
                while (System.nanoTime() < until) {
                    String name = names.get(random.nextInt(names.size()));
                    fault(name, kinds.get(name));
                    pause(Duration.ofMillis(random.nextInt(5_000))); // a quiet spell between faults
                }
            }

            publishing.set(false);
            for (Thread publisher : publishers) {
                assertThat(publisher.join(Duration.ofSeconds(30))).isTrue();
            }
            for (String scheduler : schedulers) {
                kill(scheduler); // no tick after this; every tick fired is in the queue topic now
            }

            // Then every accepted job reaches a terminal state
            List<Accepted> ticks = tickJobs(kafka, queue);
            try {
                await().atMost(DRAIN).pollInterval(Duration.ofMillis(500)).until(() -> unfinished(ticks)
                        .isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                System.out.println("fault-suite: unfinished after " + DRAIN.toSeconds() + " s: "
                        + unfinished(ticks).size());
            } // the checker names them, lost

            History history = readHistory(kafka, queue, ticks).withPauses(frozen);
            publishing.set(false);
            follower.interrupt();
            supervisor.interrupt();
            System.out.printf(
                    "fault-suite: dlq-services that exited on their own and were started again: %d%s%n",
                    supervisedRestarts.size(), supervisedRestarts.isEmpty() ? "" : " " + supervisedRestarts);
            // And what the job-status API says about every accepted job (its projection may trail the events by a
            // little: a job whose answer disagrees is asked again for up to 30 s; what remains is a STATUS violation)
            history = withStatusAnswers(api, history);

            // And the checker finds every invariant holding
            Report report = new InvariantChecker().check(history);
            System.out.printf(
                    "fault-suite: %s%nfault-suite: faults: %s%nfault-suite: took %d s%n",
                    report.summary(), String.join("; ", faults), seconds(began));
            Map<String, Integer> reRuns = reRunsPerFault(history);
            Map<String, Integer> failedPublishes = new LinkedHashMap<>();
            for (History.Unacknowledged publish : history.unacknowledged()) {
                Map.Entry<Instant, String> fault = struck.floorEntry(publish.at());
                failedPublishes.merge(fault == null ? "before any fault" : fault.getValue(), 1, Integer::sum);
            }
            Map<String, List<Long>> resumed = partitionsResumed(history);
            System.out.printf("fault-suite: static membership %s%n", STATIC_MEMBERSHIP ? "on" : "off");
            System.out.println("fault-suite: | fault | struck | recovered in (s, min-max) | partitions resumed in (s,"
                    + " min-max) | re-runs after it | publishes failed after it |");
            recoveries.forEach((name, millis) -> System.out.printf(
                    "fault-suite: | %s | %d | %s | %s | %d | %d |%n",
                    name,
                    millis.size(),
                    range(millis),
                    resumed.containsKey(name) ? range(resumed.get(name)) : "",
                    reRuns.getOrDefault(name, 0),
                    failedPublishes.getOrDefault(name, 0)));
            System.out.println("fault-suite: re-runs per fault: " + reRuns);
            System.out.println("fault-suite: failed publishes per fault: " + failedPublishes);
            // every invariant at 0: its two findings that were bugs (an expired job also dead-lettered; notBefore
            // ignored on jobs written straight to the queue) are fixed, and the build fails if they come back
            if (!report.violations().isEmpty()) {
                diagnose(report, history, kafka, queue);
            }
            report.frozenOverlaps().stream()
                    .limit(10)
                    .forEach(o ->
                            System.out.println("fault-suite: overlap of a run frozen by SIGSTOP (documented): " + o));
            assertThat(report.violations()).as(report.summary()).isEmpty();
            assertThat(history.accepted()).hasSizeGreaterThan(300);
        }
    }

    /** Prints what a failed run needs to be understood: the first lost jobs' events with times, the logs' warnings. */
    private void diagnose(Report report, History history, KafkaCluster kafka, String queue) {
        System.out.println("fault-suite: the processes' logs are kept in " + dir.toAbsolutePath());
        JobSerde<io.jobstream.schemas.JobFailure> failures = JobSerde.forFailure(SERDES);
        Map<String, List<String>> failureRecords = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : read(kafka, List.of(Topics.failed(queue)))) {
            failures.decode(record.topic(), record.headers(), record.value())
                    .getJob()
                    .ifPresent(job -> failureRecords
                            .computeIfAbsent(job.getId(), k -> new ArrayList<>())
                            .add("attempt " + job.getAttempt() + " at " + record.partition() + "/" + record.offset()));
        }
        report.of(Kind.LOST).stream()
                .limit(8)
                .forEach(v -> System.out.println("fault-suite: lost " + v.subject()
                        + " (queue partition " + partitionOf.get(v.subject()) + "): "
                        + history.events().stream()
                                .filter(e -> e.jobId().equals(v.subject()))
                                .sorted(java.util.Comparator.comparing(Event::at))
                                .map(e -> e.state() + "#" + e.attempt() + "@" + e.at() + " " + e.workerId())
                                .toList()
                        + "; failure records " + failureRecords.getOrDefault(v.subject(), List.of())));
        System.out.println("fault-suite: faults struck at " + struck);
        services.forEach((name, service) -> {
            List<String> warnings = service.log()
                    .lines()
                    .filter(line -> line.contains("WARN") || line.contains("ERROR") || line.contains("Exception"))
                    .toList();
            warnings.subList(Math.max(0, warnings.size() - 15), warnings.size())
                    .forEach(line -> System.out.println(
                            "fault-suite: " + name + ": " + line.substring(0, Math.min(line.length(), 300))));
        });
    }

    private static String range(List<Long> millis) {
        return String.format(
                java.util.Locale.ROOT,
                "%.1f-%.1f",
                millis.stream().mapToLong(Long::longValue).min().orElse(0) / 1000.0,
                millis.stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0);
    }

    /**
     * A worker a fault stopped: the fault, the worker's name (its {@code jobstream.worker.id}), when it was struck,
     * and when it stopped working (its exit after SIGTERM; the strike for SIGKILL and SIGSTOP).
     */
    private record WorkerStop(String fault, String worker, Instant struck, Instant gone, Set<Integer> owned) {}

    /**
     * Per fault, for every worker it stopped: for each partition assigned to that worker when it was struck, the time
     * from the strike until a job of that partition started again (on any worker) after the worker was gone.
     */
    private Map<String, List<Long>> partitionsResumed(History history) {
        Map<String, List<Long>> resumed = new LinkedHashMap<>();
        List<Event> started = history.events().stream()
                .filter(e -> e.state() == JobState.STARTED && partitionOf.containsKey(e.jobId()))
                .sorted(java.util.Comparator.comparing(Event::at))
                .toList();
        for (WorkerStop stop : stops) {
            List<String> each = new ArrayList<>();
            for (int partition : stop.owned()) {
                started.stream()
                        .filter(e -> e.at().isAfter(stop.gone()) && partitionOf.get(e.jobId()) == partition)
                        .findFirst()
                        .ifPresent(e -> {
                            long millis =
                                    Duration.between(stop.struck(), e.at()).toMillis();
                            resumed.computeIfAbsent(stop.fault(), k -> new ArrayList<>())
                                    .add(millis);
                            each.add("p" + partition + " " + millis / 1000.0 + " s");
                        });
            }
            System.out.printf(
                    "fault-suite: partitions of %s resumed after '%s': %s%n", stop.worker(), stop.fault(), each);
        }
        return resumed;
    }

    /** Each re-run (a STARTED of a job's attempt beyond its first) counted for the last fault struck before it. */
    private Map<String, Integer> reRunsPerFault(History history) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        struck.values().forEach(name -> counts.put(name, 0));
        Set<String> seen = new HashSet<>();
        history.events().stream()
                .filter(e -> e.state() == JobState.STARTED)
                .sorted(java.util.Comparator.comparing(Event::at))
                .filter(e -> !seen.add(e.jobId() + "/" + e.attempt()))
                .forEach(e -> {
                    Map.Entry<Instant, String> fault = struck.floorEntry(e.at());
                    counts.merge(fault == null ? "before any fault" : fault.getValue(), 1, Integer::sum);
                });
        return counts;
    }

    // --- faults ---

    private interface Fault {
        void strike() throws Exception;
    }

    /** Strikes {@code fault}, then waits until 60 more jobs finished: the system recovered from it. */
    private void fault(String name, Fault fault) throws Exception {
        long began = System.nanoTime();
        struck.put(Instant.now(), name);
        fault.strike();
        awaitProgress(60);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        recoveries.computeIfAbsent(name, k -> new ArrayList<>()).add(millis);
        faults.add(name + " (recovered in " + millis / 1000 + " s)");
        System.out.println("fault-suite: " + faults.getLast());
    }

    /**
     * The queue partitions assigned to {@code worker} now, as the group coordinator describes the group (the worker's
     * Kafka client id is its name); empty when the group cannot be described in 15 s (a broker down).
     */
    private Set<Integer> assigned(String worker) {
        try {
            return cluster
                    .admin()
                    .describeConsumerGroups(List.of(Names.workerGroup(queueName)))
                    .all()
                    .get(15, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .flatMap(group -> group.members().stream())
                    .filter(member -> member.clientId().equals(worker))
                    .flatMap(member -> member.assignment().topicPartitions().stream())
                    .map(TopicPartition::partition)
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        } catch (Exception e) {
            System.out.println("fault-suite: cannot describe the workers' group: " + e);
            return Set.of();
        }
    }

    /** The name of the fault being struck now. */
    private String lastStruck() {
        return struck.lastEntry().getValue();
    }

    /** Waits {@code duration}: a fault's pause or a quiet spell, not synchronisation. */
    private static void pause(Duration duration) {
        await().atMost(duration.plusSeconds(10)).pollDelay(duration).until(() -> true);
    }

    /**
     * Stops the first worker with SIGKILL or SIGTERM (graceful: running jobs drained, offsets committed, the group
     * left) and starts a new one in its place — with static membership, with the same instance id, started again
     * (as an orchestrator would) while the group still refuses that id.
     */
    private void replaceWorker(String signal, String bootstrap, String queue) throws Exception {
        String victim = workers.removeFirst();
        Set<Integer> owned = assigned(victim);
        Instant at = Instant.now();
        if (signal.equals("KILL")) {
            kill(victim);
        } else {
            signal(victim, signal);
            assertThat(services.get(victim).process().waitFor(60, TimeUnit.SECONDS))
                    .as(victim + " exits after SIG" + signal)
                    .isTrue();
        }
        stops.add(new WorkerStop(lastStruck(), victim, at, signal.equals("KILL") ? at : Instant.now(), owned));
        String slot = instanceIds.get(victim);
        String next = launchWorker(bootstrap, queue, slot);
        if (STATIC_MEMBERSHIP) {
            for (int restarts = 0; restarts < 10; restarts++) {
                Service worker = services.get(next);
                await().atMost(STEP)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> !worker.process().isAlive() || worker.log().contains("partitions_assigned"));
                if (worker.process().isAlive()) {
                    break;
                }
                System.out.printf(
                        "fault-suite: %s (instance id %s) exited %d, started again: %s%n",
                        next,
                        slot,
                        worker.process().exitValue(),
                        worker.log()
                                .lines()
                                .filter(l -> l.contains("jobstream:"))
                                .findFirst()
                                .orElse(""));
                next = launchWorker(bootstrap, queue, slot);
            }
        }
        workers.add(next);
    }

    private void awaitProgress(int finished) {
        int from = terminal.size();
        await().atMost(STEP).pollInterval(Duration.ofMillis(200)).until(() -> terminal.size() >= from + finished);
    }

    /**
     * The scheduler that holds the leader lease now (its {@code jobstream_scheduler_leader} gauge is 1), waiting for
     * one while a lease changes hands.
     */
    private String schedulerLeader() {
        return await("a scheduler leader")
                .atMost(STEP)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            for (String scheduler : schedulers) {
                                String admin = awaitStarted(scheduler, "jobstream scheduler:");
                                if (admin != null
                                        && LEADER.matcher(
                                                        get(admin + "/metrics").body())
                                                .find()) {
                                    return scheduler;
                                }
                            }
                            return null;
                        },
                        java.util.Objects::nonNull);
    }

    private static final Pattern LEADER = Pattern.compile("(?m)^jobstream_scheduler_leader(\\{[^}]*\\})? 1(\\.0)?$");

    private void kill(String name) throws InterruptedException {
        services.get(name).kill();
    }

    /** Waits (up to 30 s) until a long job is running, so that the rebalance to come revokes a partition under it. */
    private void awaitLongJobRunning() {
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !longJobsRunning.isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("fault-suite: no long job running after 30 s; the rebalance goes ahead without one");
        }
    }

    private void signal(String name, String signal) throws Exception {
        services.get(name).signal(signal);
    }

    // --- the workload ---

    /** One job of the mix; {@code n} picks its kind, {@code key} is its ordering key or null. */
    private record Spec(
            String id,
            String type,
            String payload,
            Terminal expected,
            Instant notBefore,
            Instant expiresAt,
            Integer maxAttempts) {}

    private static Spec spec(String id, int n, boolean keyed) {
        if (keyed) { // keyed jobs: most succeed at once, some fail once (their retry comes back behind)
            return n % 5 == 4
                    ? new Spec(id, "fail", "{\"times\":1}", Terminal.SUCCEEDED, null, null, null)
                    : new Spec(id, "sleep", "{\"ms\":5}", Terminal.SUCCEEDED, null, null, null);
        }
        return switch (n % 8) {
            case 0, 1, 2 -> new Spec(id, "log", "{\"n\":" + n + "}", Terminal.SUCCEEDED, null, null, null);
            case 3 -> new Spec(id, "fail", "{\"times\":1}", Terminal.SUCCEEDED, null, null, null);
            case 4 -> new Spec(id, "fail", "{\"always\":true}", Terminal.DEAD_LETTERED, null, null, 2);
            case 5 ->
                new Spec(
                        id,
                        "log",
                        "{}",
                        Terminal.SUCCEEDED,
                        Instant.now().plus(DELAY).truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                        null,
                        null);
            case 6 ->
                n % 24 == 14 // one job in 24 (unkeyed: n % 3 != 0) runs past the workers' revoke timeout
                        ? new Spec(
                                id,
                                "sleep",
                                "{\"ms\":" + LONG_JOB.toMillis() + "}",
                                Terminal.SUCCEEDED,
                                null,
                                null,
                                null)
                        : new Spec(id, "noop", "{}", Terminal.SUCCEEDED, null, null, null);
            default -> new Spec(id, "noop", "{}", Terminal.SUCCEEDED, null, null, null);
        };
    }

    private void accept(Spec spec, String key, int position) {
        accepted.add(new Accepted(spec.id(), spec.expected(), key, position, spec.notBefore()));
    }

    /** Round after round: PER_ROUND jobs, every third on one of the channel's two keys, until publishing stops. */
    private void workload(String channel, PublishRound round) {
        Map<String, Integer> positions = new HashMap<>();
        int n = 0;
        try {
            while (publishing.get()) {
                List<Map.Entry<Spec, String>> batch = new ArrayList<>();
                for (int i = 0; i < PER_ROUND; i++, n++) {
                    String key = n % 3 == 0 ? channel + "-key-" + (n / 3) % 2 : null;
                    Spec spec = spec(channel + "-" + n, n, key != null);
                    if (spec.payload().equals("{\"ms\":" + LONG_JOB.toMillis() + "}")) {
                        longJobs.add(spec.id());
                    }
                    batch.add(Map.entry(spec, key == null ? "" : key));
                }
                round.publish(batch, positions);
                await().pollDelay(Duration.ofMillis(500)).until(() -> true); // pacing, not synchronisation
            }
        } catch (Exception e) {
            if (publishing.get()) {
                throw new IllegalStateException(channel + " publisher failed", e);
            }
        }
    }

    private interface PublishRound {
        void publish(List<Map.Entry<Spec, String>> batch, Map<String, Integer> positions) throws Exception;
    }

    private void overHttp(String api, String queue) {
        workload("h", (batch, positions) -> {
            for (Map.Entry<Spec, String> entry : batch) {
                Spec spec = entry.getKey();
                String key = entry.getValue().isEmpty() ? null : entry.getValue();
                ObjectNode body = JSON.createObjectNode().put("id", spec.id()).put("type", spec.type());
                body.set("payload", JSON.readTree(spec.payload()));
                if (key != null) {
                    body.put("orderingKey", key);
                }
                if (spec.notBefore() != null) {
                    body.put("notBefore", spec.notBefore().toString());
                }
                if (spec.maxAttempts() != null) {
                    body.put("maxAttempts", spec.maxAttempts());
                }
                HttpResponse<String> response;
                try {
                    response = post(api + "/v1/queues/" + queue + "/jobs", body.toString());
                } catch (IOException e) {
                    // not accepted (the API or a broker is down, or no answer in 10 s): not expected
                    unacknowledged.add(new History.Unacknowledged(spec.id(), "http", Instant.now(), true));
                    continue;
                }
                if (response.statusCode() == 202) {
                    accept(spec, key, key == null ? 0 : positions.merge(key, 1, Integer::sum) - 1);
                } else {
                    unacknowledged.add(new History.Unacknowledged(spec.id(), "http", Instant.now(), true));
                    if (key != null) {
                        return; // a refused keyed job would leave a gap in its key's order: next round
                    }
                }
            }
        });
    }

    private void throughJobPublisher(String bootstrap, String queue) {
        try (JobPublisher publisher = JobPublisher.create(
                PublisherConfig.defaults(),
                KafkaSettings.builder()
                        .bootstrapServers(bootstrap)
                        .property(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(DELIVERY_TIMEOUT.toMillis()))
                        .property(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000")
                        .build())) {
            workload("p", (batch, positions) -> {
                List<Job> built = new ArrayList<>();
                for (Map.Entry<Spec, String> entry : batch) {
                    Spec spec = entry.getKey();
                    Jobs.Builder job = Jobs.builder(spec.type()).id(spec.id()).jsonPayload(spec.payload());
                    if (!entry.getValue().isEmpty()) {
                        job.orderingKey(entry.getValue());
                    }
                    if (spec.notBefore() != null) {
                        job.notBefore(spec.notBefore());
                    }
                    if (spec.maxAttempts() != null) {
                        job.maxAttempts(spec.maxAttempts());
                    }
                    built.add(job.build());
                }
                List<PublishOutcome> outcomes;
                try {
                    outcomes = publisher.publishAll(queue, built).get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // the batch's future never completed, or failed instead of giving each job its outcome
                    batch.forEach(entry -> unacknowledged.add(
                            new History.Unacknowledged(entry.getKey().id(), "JobPublisher", Instant.now(), false)));
                    return;
                }
                for (int i = 0; i < batch.size(); i++) {
                    String id = batch.get(i).getKey().id();
                    if (i >= outcomes.size() || !outcomes.get(i).jobId().equals(id)) {
                        unacknowledged.add(new History.Unacknowledged(id, "JobPublisher", Instant.now(), false));
                    } else if (!(outcomes.get(i) instanceof PublishOutcome.Published)) {
                        unacknowledged.add(new History.Unacknowledged(id, "JobPublisher", Instant.now(), true));
                    } else {
                        String key = batch.get(i).getValue();
                        accept(
                                batch.get(i).getKey(),
                                key.isEmpty() ? null : key,
                                key.isEmpty() ? 0 : positions.merge(key, 1, Integer::sum) - 1);
                    }
                }
            });
        }
    }

    private void byPlainProducer(String bootstrap, String queue) {
        Map<String, Object> settings = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                60_000);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            workload("k", (batch, positions) -> {
                List<Map.Entry<Spec, java.util.concurrent.Future<?>>> sent = new ArrayList<>();
                for (Map.Entry<Spec, String> entry : batch) {
                    Spec spec = entry.getKey();
                    String key = entry.getValue().isEmpty() ? null : entry.getValue();
                    if (key == null && spec.id().hashCode() % 7 == 0) { // an expired job now and then
                        spec = new Spec(
                                spec.id(),
                                "log",
                                "{}",
                                Terminal.EXPIRED,
                                null,
                                Instant.now().minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                                null);
                    }
                    ObjectNode envelope =
                            JSON.createObjectNode().put("id", spec.id()).put("type", spec.type());
                    envelope.set("payload", JSON.readTree(spec.payload()));
                    if (key != null) {
                        envelope.put("orderingKey", key);
                    }
                    if (spec.notBefore() != null) {
                        envelope.put("notBefore", spec.notBefore().toString());
                    }
                    if (spec.expiresAt() != null) {
                        envelope.put("expiresAt", spec.expiresAt().toString());
                    }
                    if (spec.maxAttempts() != null) {
                        envelope.put("maxAttempts", spec.maxAttempts());
                    }
                    byte[] recordKey = (key != null ? key : spec.id()).getBytes(StandardCharsets.UTF_8);
                    sent.add(Map.entry(
                            spec,
                            producer.send(new ProducerRecord<>(
                                    queue, recordKey, envelope.toString().getBytes(StandardCharsets.UTF_8)))));
                }
                Map<String, String> keys =
                        batch.stream().collect(Collectors.toMap(e -> e.getKey().id(), Map.Entry::getValue));
                for (Map.Entry<Spec, java.util.concurrent.Future<?>> entry : sent) {
                    try {
                        entry.getValue().get(90, TimeUnit.SECONDS); // its delivery timeout is 60 s
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        unacknowledged.add(new History.Unacknowledged(
                                entry.getKey().id(),
                                "producer",
                                Instant.now(),
                                e instanceof java.util.concurrent.ExecutionException));
                        continue; // not acknowledged
                    }
                    String key = keys.get(entry.getKey().id());
                    accept(
                            entry.getKey(),
                            key.isEmpty() ? null : key,
                            key.isEmpty() ? 0 : positions.merge(key, 1, Integer::sum) - 1);
                }
            });
        }
    }

    // --- what the system wrote ---

    /** Follows {@code topic} (read committed) into the event log until interrupted. */
    private void follow(KafkaCluster kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JobEvent event = events.decode(topic, record.headers(), record.value());
                    eventLog.add(new Event(
                            event.getJobId(),
                            event.getState(),
                            event.getAttempt(),
                            event.getAt(),
                            event.getWorkerId().orElse(null)));
                    if (longJobs.contains(event.getJobId())) {
                        if (event.getState() == JobState.STARTED) {
                            longJobsRunning.add(event.getJobId());
                        } else {
                            longJobsRunning.remove(event.getJobId());
                        }
                    }
                    if (event.getState() == JobState.SUCCEEDED
                            || event.getState() == JobState.DEAD_LETTERED
                            || event.getState() == JobState.EXPIRED) {
                        terminal.merge(event.getJobId(), event.getState(), (a, b) -> a);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Set<String> unfinished(List<Accepted> ticks) {
        Set<String> open = accepted.stream().map(Accepted::id).collect(Collectors.toSet());
        ticks.forEach(t -> open.add(t.id()));
        open.removeAll(terminal.keySet());
        return open;
    }

    private List<Accepted> tickJobs(KafkaCluster kafka, String queue) {
        return read(kafka, List.of(queue)).stream()
                .map(record -> jobs.decode(record.topic(), record.headers(), record.value()))
                .filter(job -> job.getHeaders().containsKey("jobstream.schedule"))
                .map(job -> Accepted.of(job.getId(), Terminal.SUCCEEDED))
                .distinct()
                .toList();
    }

    private History readHistory(KafkaCluster kafka, String queue, List<Accepted> ticks) throws Exception {
        List<String> topics = new ArrayList<>(List.of(queue));
        kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(queue + ".delay."))
                .forEach(topics::add);
        List<JobRecord> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : read(kafka, topics)) {
            Job job = jobs.decode(record.topic(), record.headers(), record.value());
            if (record.topic().equals(queue)) {
                partitionOf.putIfAbsent(job.getId(), record.partition());
            }
            String tick = job.getHeaders().get("jobstream.scheduled-at");
            records.add(new JobRecord(
                    record.topic(),
                    job.getId(),
                    job.getAttempt(),
                    !record.topic().equals(queue),
                    JobHeaders.instant(record.headers(), JobHeaders.DUE_AT).orElse(null),
                    job.getHeaders().get("jobstream.schedule"),
                    tick == null ? null : Instant.parse(tick)));
        }
        List<String> lettered = read(kafka, List.of(Topics.dlq(queue))).stream()
                .map(r -> deadLetters
                        .decode(r.topic(), r.headers(), r.value())
                        .getLastFailure()
                        .getJob()
                        .map(Job::getId)
                        .orElse("undecodable"))
                .toList();
        // every committed event up to now: the follower has them all once it holds as many
        int committed = read(kafka, List.of(Topics.events(queue))).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> eventLog.size() >= committed);
        Map<JobState, Long> states = eventLog.stream()
                .collect(Collectors.groupingBy(Event::state, java.util.TreeMap::new, Collectors.counting()));
        List<Accepted> all = new ArrayList<>(accepted);
        all.addAll(ticks);
        System.out.printf(
                "fault-suite: jobs accepted=%d (ticks %d) records=%d dead letters=%d events=%d %s%n",
                accepted.size(), ticks.size(), records.size(), lettered.size(), eventLog.size(), states);
        System.out.printf(
                "fault-suite: publishes not acknowledged=%d (no outcome %d) by channel %s%n",
                unacknowledged.size(),
                unacknowledged.stream().filter(u -> !u.answered()).count(),
                unacknowledged.stream()
                        .collect(Collectors.groupingBy(
                                History.Unacknowledged::channel, java.util.TreeMap::new, Collectors.counting())));
        // the worker logs say whether rebalances revoked partitions under running (long) jobs
        Pattern revoked = Pattern.compile("partitions_(revoked|lost) .*still_running=([1-9]\\d*)");
        long underJobs = services.entrySet().stream()
                .filter(e -> e.getKey().startsWith("worker-"))
                .flatMap(e -> e.getValue().log().lines())
                .filter(line -> revoked.matcher(line).find())
                .count();
        System.out.printf("fault-suite: partitions revoked or lost under running jobs: %d times%n", underJobs);
        return new History(
                all, List.copyOf(eventLog), records, lettered, Map.of("beat", TICK), Map.of(), unacknowledged);
    }

    // --- processes ---

    /** A worker named {@code worker-<n>} (also its worker id); {@code slot} is its instance id if static. */
    private String launchWorker(String bootstrap, String queue, String slot) throws IOException {
        String name = next("worker");
        // heartbeat-silence-limit below the brokers' 10 s session timeout (3 heartbeat intervals of testkit's 1 s): a
        // worker SIGSTOPped past the session starts nothing it fetched until its heartbeat is answered (RELIABILITY.md,
        // finding 5)
        Map<String, String> env = new HashMap<>(Map.of(
                ProcessorConfig.HEARTBEAT_SILENCE_LIMIT.envVar(),
                "3s",
                ProcessorConfig.EVENTS.envVar(),
                "all",
                ProcessorConfig.REVOKE_TIMEOUT.envVar(),
                REVOKE_TIMEOUT.toMillis() + "ms",
                ProcessorConfig.WORKER_ID.envVar(),
                name,
                KafkaSettings.CLIENT_ID.envVar(),
                name));
        if (STATIC_MEMBERSHIP) {
            env.put(ProcessorConfig.INSTANCE_ID.envVar(), slot);
        }
        instanceIds.put(name, slot);
        services.put(
                name,
                processes.start(
                        name, env, "worker", "--bootstrap-servers", bootstrap, "--queue", queue, "--admin-port", "0"));
        return name;
    }

    /**
     * Starts the dlq-service again when it exits on its own, as a deployment's supervisor does (Kubernetes' restart
     * policy, compose's {@code restart: unless-stopped}): a stalled router makes it exit 1 (RELIABILITY.md, finding 4).
     */
    private void superviseDlqService(String bootstrap, String queue) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1_000);
                synchronized (dlqServiceLock) {
                    Service current = services.get(dlqService);
                    if (current.process().isAlive()) {
                        continue;
                    }
                    String words = current.log()
                            .lines()
                            .filter(l -> l.contains("router_stalled") || l.contains("jobstream:"))
                            .findFirst()
                            .orElse("");
                    String entry = dlqService + " exited " + current.process().exitValue()
                            + (words.isEmpty() ? "" : " (" + words.strip() + ")");
                    System.out.println("fault-suite: " + entry + "; starting a new one");
                    // the router's diagnosis (kept logs go with a passing run): threads, stacks, open transactions
                    current.log()
                            .lines()
                            .dropWhile(l -> !l.contains("router_stalled"))
                            .limit(200)
                            .forEach(l -> System.out.println("fault-suite:   " + l));
                    supervisedRestarts.add(entry);
                    dlqService = launchDlqService(bootstrap, queue);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                System.out.println("fault-suite: the supervisor could not start a dlq-service: " + e);
            }
        }
    }

    private String launchDlqService(String bootstrap, String queue) throws IOException {
        String name = next("dlq-service");
        services.put(
                name,
                processes.start(
                        name,
                        // one state directory for the suite's dlq-services, as a StatefulSet's volume (each replacement
                        // keeps its predecessor's Streams process id and store), never the shared /tmp/kafka-streams
                        Map.of(
                                DlqServiceConfig.STATE_DIR.envVar(),
                                dir.resolve("dlq-state").toString()),
                        "dlq-service",
                        "--bootstrap-servers",
                        bootstrap,
                        "--queue",
                        queue,
                        "--max-attempts",
                        "3",
                        "--backoff",
                        "500ms",
                        "--admin-port",
                        "0"));
        awaitStarted(name, "jobstream dlq-service:");
        return name;
    }

    private String launchScheduler(String bootstrap, Path schedules, RedisServer redis) throws IOException {
        return launch(
                next("scheduler"),
                "scheduler",
                "--bootstrap-servers",
                bootstrap,
                "--config",
                schedules.toString(),
                "--redis-uri",
                redis.uri(),
                "--admin-port",
                "0");
    }

    /** {@code role-0}, {@code role-1}, ...: the next unused name of a process of {@code role}. */
    private String next(String role) {
        int n = 0;
        while (services.containsKey(role + "-" + n)) {
            n++;
        }
        return role + "-" + n;
    }

    private Path apiConfig(String queue) throws IOException {
        return Files.writeString(dir.resolve("api.yaml"), """
                jobstream:
                  runtime:
                    http:
                      tokens:
                        faults: {token: %s, scopes: "publish,status:read", queues: "%s"}
                  status:
                    queues: [%s]
                    state-dir: %s
                """.formatted(TOKEN, queue, queue, dir.resolve("status")));
    }

    private String launch(String name, String... args) throws IOException {
        services.put(name, processes.start(name, Map.of(), args));
        return name;
    }

    private String awaitStarted(String name, String banner) {
        Matcher url = URL.matcher(services.get(name).awaitOutput(banner, Duration.ofSeconds(120)));
        return url.find() ? url.group(1) : null;
    }

    private History withStatusAnswers(String api, History history) {
        Map<String, String> answers = new ConcurrentHashMap<>();
        List<String> ask =
                new ArrayList<>(history.accepted().stream().map(Accepted::id).toList());
        try {
            await("the status API agrees with the events")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        for (String id : ask) {
                            answers.put(id, statusOf(api, id));
                        }
                        ask.clear();
                        new InvariantChecker()
                                .check(history.withStatuses(answers))
                                .of(Kind.STATUS)
                                .forEach(v -> ask.add(v.subject()));
                        return ask.isEmpty();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("fault-suite: the status API still disagrees after 30 s on " + ask.size() + " jobs");
        } // the checker names them
        System.out.printf("fault-suite: status API asked about %d jobs%n", answers.size());
        return history.withStatuses(answers);
    }

    /** {@code GET /v1/jobs/{id}}'s state, or {@link History#UNKNOWN} for a 404. */
    private String statusOf(String api, String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(api + "/v1/jobs/"
                                + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return History.UNKNOWN;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("state").asText();
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }
}
