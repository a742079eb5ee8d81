package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue-15 crash test, CI-sized: real workers ({@link WorkerProcess}) and a real dlq-service ({@link
 * DlqServiceProcess}), each in a JVM of its own, SIGKILLed mid-stream while jobs fail and are retried. Whatever a
 * crash made run twice, each job's attempts form one lineage: one RETRY_SCHEDULED per attempt, at most one dead letter,
 * no attempt run from two different copies, and the expected terminal state. The re-runs of an attempt (at-least-once
 * execution) are counted and printed per SIGKILL of a worker.
 */
@JobstreamTest
class RoutedOnceUnderCrashesIT {
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final int JOBS = 200;
    private static final int WAVES = 10;
    /** Attempts that fail before the last one succeeds: 1 to 3, or always (dead-lettered after 5 attempts). */
    private static final int ALWAYS = 99;

    @TempDir
    Path stateDir;

    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void endEveryProcess() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingWorkersAndTheDlqServiceMidStreamNeverForksAJobsLineage(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a queue of 2 partitions, a dlq-service (type "retry": 5 attempts, 200 ms apart) and a worker
        String queue = topics.unique("forks");
        kafka.createTopic(queue, 2, 1);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.dlq(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        for (String tier : DlqServiceProcess.TIERS.topics(queue)) {
            kafka.createTopic(tier, 1, 1);
        }
        String runsTopic = queue + "-runs";
        kafka.createTopic(runsTopic, 1, 1);
        Map<String, Integer> fails = new LinkedHashMap<>();
        for (int i = 0; i < JOBS; i++) {
            fails.put(Ulid.next(), i % 4 == 0 ? ALWAYS : 1 + i % 3);
        }
        int workerKills = 0;
        try (ItKafka.Collector runs = new ItKafka.Collector(kafka, runsTopic);
                ItKafka.Collector eventLog = new ItKafka.Collector(kafka, Topics.events(queue));
                ItKafka.Collector dlq = new ItKafka.Collector(kafka, Topics.dlq(queue))) {
            Process dlqService = launchDlqService(kafka, queue, "dlq-1");
            Process worker = launchWorker(kafka, queue, runsTopic, "worker-1");

            // When the jobs arrive in waves while first the worker, then the dlq-service, then the next worker are
            // SIGKILLed mid-stream, each replaced at once
            Thread publisher = Thread.ofVirtual().start(() -> publishInWaves(kafka, queue, fails));
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.poll().size() >= 130);
            kill(worker);
            workerKills++;
            worker = launchWorker(kafka, queue, runsTopic, "worker-2");
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.poll().size() >= 300);
            kill(dlqService);
            dlqService = launchDlqService(kafka, queue, "dlq-2");
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.poll().size() >= 430);
            kill(worker);
            workerKills++;
            launchWorker(kafka, queue, runsTopic, "worker-3");
            publisher.join(Duration.ofSeconds(30));

            // Then every job reaches its terminal state: SUCCEEDED at the attempt after its planned failures, or
            // DEAD_LETTERED after 5 attempts
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> unfinished(fails, eventLog.poll()).isEmpty());
            long runsWritten = kafka.endOffsets(runsTopic).values().iterator().next();
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.poll().size() >= runsWritten);
            List<JobEvent> all = decodedEvents(eventLog.poll());
            List<String> lettered = dlq.poll().stream()
                    .map(r -> deadLetters
                            .decode(Topics.dlq(queue), r.headers(), r.record().value())
                            .getLastFailure()
                            .getJob()
                            .orElseThrow()
                            .getId())
                    .toList();
            List<String[]> ran = runs.poll().stream()
                    .map(r -> new String(r.record().value(), StandardCharsets.UTF_8).split("\t", -1))
                    .toList();

            // And no attempt was run from two different copies (two failure histories = two lineages)
            Map<String, Set<String>> lineagesPerAttempt = new HashMap<>();
            Map<String, Integer> runsPerCopy = new HashMap<>();
            for (String[] run : ran) {
                lineagesPerAttempt
                        .computeIfAbsent(run[0] + "/" + run[1], k -> new HashSet<>())
                        .add(run[2]);
                runsPerCopy.merge(run[0] + "/" + run[1] + "/" + run[2], 1, Integer::sum);
            }
            Map<String, Set<String>> forked = lineagesPerAttempt.entrySet().stream()
                    .filter(e -> e.getValue().size() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            long reRuns = runsPerCopy.values().stream().mapToInt(n -> n - 1).sum();
            Map<String, Long> retriesPerAttempt = all.stream()
                    .filter(e -> e.getState() == JobState.RETRY_SCHEDULED)
                    .collect(Collectors.groupingBy(e -> e.getJobId() + "/" + e.getAttempt(), Collectors.counting()));
            Map<String, Long> failedPerAttempt = all.stream()
                    .filter(e -> e.getState() == JobState.FAILED)
                    .collect(Collectors.groupingBy(e -> e.getJobId() + "/" + e.getAttempt(), Collectors.counting()));
            long failuresWrittenTwice =
                    failedPerAttempt.values().stream().mapToLong(n -> n - 1).sum();
            System.out.printf(
                    "routed-once: jobs=%d runs=%d re_runs=%d worker_sigkills=%d re_runs_per_worker_sigkill=%.1f"
                            + " failures_written_twice=%d forked_attempts=%d duplicate_retries=%d dead_letters=%d%n",
                    JOBS,
                    ran.size(),
                    reRuns,
                    workerKills,
                    (double) reRuns / workerKills,
                    failuresWrittenTwice,
                    forked.size(),
                    retriesPerAttempt.values().stream().filter(n -> n > 1).count(),
                    lettered.size());
            assertThat(forked).as("attempts run from two lineages").isEmpty();
            // And each attempt was scheduled at most once, and each job dead-lettered at most once (exactly the
            // jobs that always fail)
            assertThat(retriesPerAttempt).allSatisfy((attempt, count) -> assertThat(count)
                    .as("RETRY_SCHEDULED of %s", attempt)
                    .isEqualTo(1L));
            assertThat(lettered).doesNotHaveDuplicates();
            assertThat(new HashSet<>(lettered))
                    .isEqualTo(fails.entrySet().stream()
                            .filter(e -> e.getValue() == ALWAYS)
                            .map(Map.Entry::getKey)
                            .collect(Collectors.toSet()));
            // And every job ran each of its attempts, in one lineage, and no other
            Map<String, Set<Integer>> attemptsRun = new HashMap<>();
            for (String[] run : ran) {
                attemptsRun.computeIfAbsent(run[0], k -> new HashSet<>()).add(Integer.parseInt(run[1]));
            }
            fails.forEach((id, planned) -> assertThat(attemptsRun.get(id))
                    .as("attempts of %s", id)
                    .hasSize(planned == ALWAYS ? 5 : planned + 1)
                    .allMatch(a -> a >= 1 && a <= (planned == ALWAYS ? 5 : planned + 1)));
        }
    }

    /** The jobs without their expected terminal event yet. */
    private Set<String> unfinished(Map<String, Integer> fails, List<ItKafka.Received> received) {
        Set<String> done = new HashSet<>();
        for (JobEvent event : decodedEvents(received)) {
            Integer planned = fails.get(event.getJobId());
            if (planned == null) {
                continue;
            }
            boolean terminal = planned == ALWAYS
                    ? event.getState() == JobState.DEAD_LETTERED
                    : event.getState() == JobState.SUCCEEDED && event.getAttempt() == planned + 1;
            if (terminal) {
                done.add(event.getJobId());
            }
        }
        Set<String> open = new HashSet<>(fails.keySet());
        open.removeAll(done);
        return open;
    }

    private List<JobEvent> decodedEvents(List<ItKafka.Received> received) {
        return received.stream()
                .map(r -> events.decode(
                        r.record().topic(), r.headers(), r.record().value()))
                .toList();
    }

    private void publishInWaves(KafkaCluster kafka, String queue, Map<String, Integer> fails) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        fails.forEach((id, planned) -> {
            Job job = Job.newBuilder()
                    .setId(id)
                    .setType(WorkerProcess.TYPE)
                    .setPayload(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                    .setContentType("application/json")
                    .setCreatedAt(Instant.now())
                    .setHeaders(Map.of(WorkerProcess.FAILS, Integer.toString(planned)))
                    .build();
            records.add(new ProducerRecord<>(queue, id.getBytes(StandardCharsets.UTF_8), jobs.encode(queue, job)));
        });
        int perWave = records.size() / WAVES;
        for (int wave = 0; wave < WAVES; wave++) {
            ItKafka.sendAll(kafka, records.subList(wave * perWave, (wave + 1) * perWave));
            // the pause spreads the waves over ~5 s, so the kills find jobs at every stage (not a synchronisation)
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        }
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroyForcibly(); // SIGKILL
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);
    }

    private Process launchDlqService(KafkaCluster kafka, String queue, String name) throws IOException {
        return launch(
                name, queue, DlqServiceProcess.class.getName(), kafka.bootstrapServers(), queue, stateDir.toString());
    }

    private Process launchWorker(KafkaCluster kafka, String queue, String runsTopic, String name) throws IOException {
        return launch(name, queue, WorkerProcess.class.getName(), kafka.bootstrapServers(), queue, runsTopic, name);
    }

    private Process launch(String name, String queue, String mainClass, String... args) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "crash-it-logs"));
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(queue + "-" + name + ".log").toFile())
                .start();
        processes.add(process);
        return process;
    }
}
