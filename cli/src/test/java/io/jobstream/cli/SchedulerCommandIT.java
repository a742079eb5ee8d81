package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.scheduler.CronScheduler;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code jobstream scheduler} processes share an {@code @every 10s} schedule through a real redis-server for three
 * minutes: every tick is published exactly once, also after the leader is killed with SIGKILL mid-run.
 */
@JobstreamTest
class SchedulerCommandIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    private static final Pattern ADMIN = Pattern.compile("admin=(http://\\S+)");
    private static final long EVERY_MS = 10_000;
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void twoSchedulersPublishEachTickOnceAcrossALeaderKill(
            KafkaCluster kafka, RedisServer redis, TestTopics topics, @TempDir Path dir) throws Exception {
        // Given a queue and a config with one @every 10s schedule and a short leader lease
        String queue = topics.create("ticks", 1);
        Path config = dir.resolve("scheduler.yaml");
        Files.writeString(config, """
                jobstream:
                  scheduler:
                    leader-lease: 3s
                    check-interval: 250ms
                    schedules:
                      tick: {cron: "@every 10s", queue: %s, type: noop}
                """.formatted(queue));

        // When two schedulers run for three minutes
        Instant runEnd = Instant.now().plus(RUN);
        List<Process> schedulers = new ArrayList<>();
        List<String> admins = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Path out = dir.resolve("scheduler-" + i + ".out");
                schedulers.add(new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-jar",
                                JAR.toAbsolutePath().toString(),
                                "scheduler",
                                "--config",
                                config.toString(),
                                "--redis-uri",
                                redis.uri(),
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--admin-port",
                                "0")
                        .redirectOutput(out.toFile())
                        .redirectError(dir.resolve("scheduler-" + i + ".err").toFile())
                        .start());
                Process process = schedulers.get(i);
                await().atMost(Duration.ofSeconds(60))
                        .failFast("scheduler exited", () -> !process.isAlive())
                        .until(() -> ADMIN.matcher(Files.readString(out)).find());
                Matcher admin = ADMIN.matcher(Files.readString(out));
                assertThat(admin.find()).isTrue();
                admins.add(admin.group(1));
            }

            // And, half way (once 8 ticks have fired), the leader is killed with SIGKILL
            await().atMost(Duration.ofSeconds(150))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> readTicks(kafka, queue).size() >= 8);
            int leader = await().atMost(Duration.ofSeconds(30)).until(() -> leaderIndex(admins), i -> i >= 0);
            schedulers.get(leader).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Instant killedAt = Instant.now();

            // Then the other takes over and keeps firing until the three minutes are up
            await().atMost(RUN.plusMinutes(1))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> Instant.now().isAfter(runEnd)
                            && readTicks(kafka, queue).stream()
                                    .anyMatch(tick -> tick.isAfter(killedAt.plusMillis(EVERY_MS))));
            schedulers.get(1 - leader).destroy();
            assertThat(schedulers.get(1 - leader).waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            schedulers.forEach(Process::destroyForcibly);
        }

        // And every tick from the first to the last is there exactly once
        List<Job> jobs = readJobs(kafka, queue);
        List<Instant> ticks = jobs.stream()
                .map(job -> Instant.parse(job.getHeaders().get(CronScheduler.TICK_HEADER)))
                .sorted()
                .toList();
        assertThat(ticks).doesNotHaveDuplicates();
        long first = ticks.getFirst().toEpochMilli();
        long last = ticks.getLast().toEpochMilli();
        assertThat(last - first).isGreaterThanOrEqualTo(RUN.toMillis() - 3 * EVERY_MS);
        assertThat(ticks).hasSize((int) ((last - first) / EVERY_MS) + 1);
        assertThat(jobs).allSatisfy(job -> assertThat(job.getId())
                .isEqualTo(CronScheduler.jobId(
                        "tick", Instant.parse(job.getHeaders().get(CronScheduler.TICK_HEADER)))));
    }

    private static int leaderIndex(List<String> admins) {
        for (int i = 0; i < admins.size(); i++) {
            try (HttpClient http = HttpClient.newHttpClient()) {
                String metrics = http.send(
                                HttpRequest.newBuilder(URI.create(admins.get(i) + "/metrics"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                if (metrics.contains("jobstream_scheduler_leader 1.0")) {
                    return i;
                }
            } catch (IOException | InterruptedException e) {
                // not answering yet
            }
        }
        return -1;
    }

    private static List<Instant> readTicks(KafkaCluster kafka, String queue) {
        return readJobs(kafka, queue).stream()
                .map(job -> Instant.parse(job.getHeaders().get(CronScheduler.TICK_HEADER)))
                .toList();
    }

    private static List<Job> readJobs(KafkaCluster kafka, String queue) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A fire rolled back when a new leader fenced the killed one stays in the log, aborted: read as workers do.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(queue, 0);
        List<Job> jobs = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    jobs.add(serde.decode(queue, record.headers(), record.value()));
                }
            }
        }
        return jobs;
    }
}
