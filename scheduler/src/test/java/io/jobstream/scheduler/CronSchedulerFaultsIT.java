package io.jobstream.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import io.jobstream.testkit.TestTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Scheduler replicas as processes of their own ({@link SchedulerChild}, an {@code @every 1s} schedule) on a real
 * broker and a redis-server of their own: neither a restart of redis-server without persistence nor a SIGKILL of the
 * leader fires a tick twice or skips one.
 */
@JobstreamTest
class CronSchedulerFaultsIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final long EVERY_MS = 1_000;

    @Test
    void aRedisRestartWithoutPersistenceFiresNoTickTwiceAndSkipsNone(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given two scheduler replicas sharing a redis-server without persistence, firing every second
        String queue = topics.create("ticks", 1);
        try (RedisServer redis =
                        RedisServer.builder().name("scheduler-redis").build().start();
                Replicas replicas = new Replicas(kafka, redis, queue, "restart-" + queue)) {
            replicas.start(2);
            await().atMost(WAIT).until(() -> readTicks(kafka, queue).size() >= 3);

            // When redis-server is killed and started again, empty
            redis.kill();
            redis.restart();
            Instant restartedAt = Instant.now();

            // Then the replicas go on firing after it
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> readTicks(kafka, queue).stream()
                    .anyMatch(tick -> tick.isAfter(restartedAt.plusSeconds(5))));
        }

        // And every tick from the first to the last is there exactly once
        assertEveryTickOnce(kafka, queue);
    }

    @Test
    void aLeaderKilledWithSigkillIsFollowedByOneThatNeitherRefiresNorSkips(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given two scheduler replicas, one of them leading and firing every second
        String queue = topics.create("ticks", 1);
        try (RedisServer redis =
                        RedisServer.builder().name("scheduler-redis").build().start();
                Replicas replicas = new Replicas(kafka, redis, queue, "kill-" + queue)) {
            replicas.start(2);
            await().atMost(WAIT).until(() -> readTicks(kafka, queue).size() >= 3);
            int leader = await().atMost(WAIT).until(replicas::leader, index -> index >= 0);

            // When the leader is killed with SIGKILL
            replicas.kill(leader);
            Instant killedAt = Instant.now();

            // Then the other takes over and goes on firing
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> readTicks(kafka, queue).stream()
                    .anyMatch(tick -> tick.isAfter(killedAt.plusSeconds(5))));
        }

        // And every tick from the first to the last is there exactly once
        assertEveryTickOnce(kafka, queue);
    }

    private static void assertEveryTickOnce(KafkaCluster kafka, String queue) {
        List<Instant> ticks = readTicks(kafka, queue).stream().sorted().toList();
        assertThat(ticks).doesNotHaveDuplicates();
        long first = ticks.getFirst().toEpochMilli();
        long last = ticks.getLast().toEpochMilli();
        assertThat(ticks).hasSize((int) ((last - first) / EVERY_MS) + 1);
    }

    /** The ticks of the jobs in {@code queue} (committed records only), in the order they were written. */
    private static List<Instant> readTicks(KafkaCluster kafka, String queue) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(queue, 0);
        List<Instant> ticks = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Job job = serde.decode(queue, record.headers(), record.value());
                    ticks.add(Instant.parse(job.getHeaders().get(CronScheduler.TICK_HEADER)));
                }
            }
        }
        return ticks;
    }

    /** Scheduler replicas as child JVMs; closing kills those still running. */
    private static final class Replicas implements AutoCloseable {
        private final KafkaCluster kafka;
        private final RedisServer redis;
        private final String queue;
        private final String schedule;
        private final List<Process> processes = new ArrayList<>();
        private final List<Path> logs = new ArrayList<>();

        Replicas(KafkaCluster kafka, RedisServer redis, String queue, String schedule) {
            this.kafka = kafka;
            this.redis = redis;
            this.queue = queue;
            this.schedule = schedule;
        }

        void start(int count) throws IOException {
            Path dir = Files.createDirectories(Path.of("target", "scheduler-child-logs"));
            for (int i = 0; i < count; i++) {
                Path log = dir.resolve(schedule + "-" + i + ".log");
                String java = ProcessHandle.current().info().command().orElse("java");
                processes.add(new ProcessBuilder(
                                java,
                                "-Xmx128m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                SchedulerChild.class.getName(),
                                kafka.bootstrapServers(),
                                redis.uri(),
                                queue,
                                schedule,
                                "schedules." + schedule)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start());
                logs.add(log);
            }
        }

        /** The index of the replica whose last leadership line says it leads, or -1. */
        int leader() throws IOException {
            for (int i = 0; i < logs.size(); i++) {
                String log = Files.readString(logs.get(i));
                if (processes.get(i).isAlive()
                        && log.lastIndexOf("leadership granted") > log.lastIndexOf("leadership revoked")) {
                    return i;
                }
            }
            return -1;
        }

        void kill(int index) throws InterruptedException {
            processes.get(index).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            for (Process process : processes) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
