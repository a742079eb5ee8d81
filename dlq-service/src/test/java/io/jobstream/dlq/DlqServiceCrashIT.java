package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dlq-service killed with SIGKILL mid-stream and restarted, in its own JVM. */
@JobstreamTest
class DlqServiceCrashIT {
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final int PER_BATCH = 1_000;

    @TempDir
    Path stateDir;

    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);

    private Process launch(KafkaCluster kafka, String queue, String name) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "crash-it-logs"));
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DlqServiceProcess.class.getName(),
                        kafka.bootstrapServers(),
                        queue,
                        stateDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(queue + "-" + name + ".log").toFile())
                .start();
    }

    /** Half the jobs fail retryably (type "retry", attempt 1 of 5), half with UNKNOWN_TYPE (never retried). */
    private List<ProducerRecord<byte[], byte[]>> batch(
            String queue, int from, Set<String> retried, Set<String> deadLettered) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < from + PER_BATCH; i++) {
            boolean retry = i % 2 == 0;
            Job job = job(retry ? "retry" : "no_such_type", 1);
            JobFailure failure = retry
                    ? failure(job, queue, Instant.now())
                    : failure(job, queue, Instant.now(), FailureReason.UNKNOWN_TYPE, false);
            (retry ? retried : deadLettered).add(job.getId());
            records.add(new ProducerRecord<>(
                    Topics.failed(queue),
                    job.getId().getBytes(StandardCharsets.UTF_8),
                    failures.encode(Topics.failed(queue), failure)));
        }
        return records;
    }

    @Test
    void killedMidStreamAndRestartedLosesNoFailureAndNeverBothRetriesAndDeadLettersAJob(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue and the dlq-service running in its own JVM
        String queue = topics.unique("jobs");
        ItKafka.createQueueTopics(kafka, queue, DlqServiceProcess.TIERS);
        Set<String> retried = new HashSet<>();
        Set<String> deadLettered = new HashSet<>();
        List<Process> processes = new ArrayList<>();
        try (ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue);
                ItKafka.Collector onDlq = new ItKafka.Collector(kafka, Topics.dlq(queue))) {
            processes.add(launch(kafka, queue, "first"));
            // When failures stream in and the service is killed (SIGKILL) while it routes them
            ItKafka.sendAll(kafka, batch(queue, 0, retried, deadLettered));
            await().atMost(Duration.ofSeconds(60)).until(onDlq::poll, r -> r.size() >= 20);
            Process first = processes.getFirst();
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            System.out.printf(
                    "killed after dead_letters=%d of %d, retries_back=%d of %d%n",
                    onDlq.poll().size(), deadLettered.size(), onQueue.poll().size(), retried.size());
            // And more arrive while it is down, and it is restarted
            ItKafka.sendAll(kafka, batch(queue, PER_BATCH, retried, deadLettered));
            processes.add(launch(kafka, queue, "second"));
            // Then every retryable job comes back to the queue exactly once, every other one is dead-lettered
            // exactly once, and no job is both
            await().atMost(Duration.ofSeconds(150))
                    .until(() -> onQueue.poll().size() >= retried.size()
                            && onDlq.poll().size() >= deadLettered.size());
            List<String> back = onQueue.poll().stream()
                    .map(r ->
                            jobs.decode(queue, r.headers(), r.record().value()).getId())
                    .toList();
            List<String> dead = onDlq.poll().stream()
                    .map(r -> deadLetters
                            .decode(Topics.dlq(queue), r.headers(), r.record().value())
                            .getLastFailure()
                            .getJob()
                            .orElseThrow()
                            .getId())
                    .toList();
            assertThat(back).hasSize(retried.size()).doesNotHaveDuplicates();
            assertThat(new HashSet<>(back)).isEqualTo(retried);
            assertThat(dead).hasSize(deadLettered.size()).doesNotHaveDuplicates();
            assertThat(new HashSet<>(dead)).isEqualTo(deadLettered);
        } finally {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
