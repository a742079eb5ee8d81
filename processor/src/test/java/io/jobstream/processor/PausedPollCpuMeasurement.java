package io.jobstream.processor;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures the poll thread's CPU while one partition is paused behind a long job: a queue of 4 partitions on a real
 * one-broker cluster; partition 0 holds one 60 s {@code sleep} job followed by more quick {@code noop} jobs than
 * {@code jobstream.worker.max-pending-per-partition} (1,000), so once the quick ones finished the partition stays paused
 * behind the unfinished head, while the other partitions are idle. Over {@code seconds} (default 40) of that window it
 * prints the CPU time of the poll thread ({@code jobstream-<queue>-poll}) and of the consumer's background thread, as a
 * share of one core. Not a test (no timing assertion); run by hand with the test classpath: {@code java -cp ...
 * io.jobstream.processor.PausedPollCpuMeasurement [seconds] [partitions]}.
 */
public final class PausedPollCpuMeasurement {
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());

    private PausedPollCpuMeasurement() {}

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 40;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int quick = 1_100;
        String queue = "paused-cpu";
        try (KafkaCluster kafka = KafkaCluster.builder()
                .name("paused-cpu")
                .brokers(1)
                .startupTimeout(Duration.ofMinutes(3))
                .build()
                .start()) {
            kafka.createTopic(queue, partitions, 1);
            kafka.createTopic(Topics.failed(queue), 1, 1);
            kafka.createTopic(Topics.events(queue), 1, 1);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
                send(producer, queue, "long", "sleep", "{\"ms\":60000}");
                for (int i = 0; i < quick; i++) {
                    send(producer, queue, "quick-" + i, "noop", "{}");
                }
                producer.flush();
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ProcessorConfig config = ProcessorConfig.builder(
                            queue,
                            KafkaSettings.builder()
                                    .bootstrapServers(kafka.bootstrapServers())
                                    .build())
                    .jobTimeout(Duration.ofMinutes(2))
                    .build();
            JobProcessor.Builder builder = JobProcessor.builder(config).meterRegistry(registry);
            BuiltinHandlers.registerAll(builder);
            try (JobProcessor processor = builder.build().start()) {
                Instant giveUp = Instant.now().plusSeconds(30);
                // the partition pauses with 1,000 jobs pending: the long head and 999 quick ones, which then finish
                while (completed(registry) < 999) {
                    if (Instant.now().isAfter(giveUp)) {
                        throw new IllegalStateException("the quick jobs did not finish: " + completed(registry));
                    }
                    Thread.sleep(100);
                }
                Thread.sleep(1_000);
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                String pollThread = "jobstream-" + queue + "-poll";
                long pollBefore = cpu(threads, pollThread);
                long backgroundBefore = cpu(threads, "consumer_background_thread");
                long wallBefore = System.nanoTime();
                Thread.sleep(seconds * 1_000);
                long poll = cpu(threads, pollThread) - pollBefore;
                long background = cpu(threads, "consumer_background_thread") - backgroundBefore;
                long wall = System.nanoTime() - wallBefore;
                System.out.printf(
                        "partitions=%d paused=1 wall=%.1fs pollThreadCpu=%.3fs (%.2f%% of one core)"
                                + " consumerBackgroundCpu=%.3fs (%.2f%% of one core) completed=%.0f%n",
                        partitions,
                        wall / 1e9,
                        poll / 1e9,
                        100.0 * poll / wall,
                        background / 1e9,
                        100.0 * background / wall,
                        completed(registry));
                processor.close(Duration.ofSeconds(1));
            }
        }
    }

    private static double completed(SimpleMeterRegistry registry) {
        return registry.find("jobstream.jobs.completed").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String queue, String id, String type, String json)
            throws Exception {
        Job job = Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
        producer.send(new ProducerRecord<>(queue, 0, id.getBytes(StandardCharsets.UTF_8), JOBS.encode(queue, job)));
    }

    /** CPU time of the live threads whose name contains {@code name}. */
    private static long cpu(ThreadMXBean threads, String name) {
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().contains(name)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
