package io.jobstream.api;

import io.jobstream.producer.QueueTopics;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.KafkaCluster;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A manual measurement, not a test: how far the job-status projection lags while events are written at a steady
 * rate. Starts a one-broker testkit cluster, a queue with 6 partitions and one projection replica, then writes for
 * {@code seconds} at {@code events/s}: each job is a queue record (like JobPublisher's, read as ENQUEUED) and a
 * SUCCEEDED event, so jobs/s = events/s / 2 (with {@code --no-enqueue}: events only, each job one SUCCEEDED event).
 * Prints per second: events written, the projection's summed consumer lag (records) and the largest event-to-fold
 * delay; at the end, the maximum lag, the catch-up time after writing stopped, and whether the last job is queryable.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) io.jobstream.api.JobStatusLoad 20000 30 [--no-enqueue]
 * </pre>
 */
public final class JobStatusLoad {
    private JobStatusLoad() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        boolean enqueue = !List.of(args).contains("--no-enqueue");
        Path state = Files.createTempDirectory("jobstream-status-load");
        try (KafkaCluster kafka = KafkaCluster.start(1)) {
            String queue = "load";
            QueueTopics.using(kafka.admin()).create(queue, 6, 1);
            KafkaSettings settings = KafkaSettings.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .build();
            JobStatusConfig config = JobStatusConfig.builder()
                    .queues(List.of(queue))
                    .advertisedHost("127.0.0.1")
                    .stateDir(state)
                    .trackEnqueued(enqueue)
                    .streamThreads(Integer.getInteger("threads", 1))
                    .cacheSize(Long.getLong(
                            "cacheBytes",
                            JobStatusConfig.CACHE_SIZE.defaultValue().orElseThrow()))
                    .build();
            try (AdminServer server = AdminServer.builder()
                            .config(new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(10)))
                            .start();
                    JobStatusProjection projection =
                            JobStatusProjection.start(config, SerdeConfig.singleObject(), settings, server)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (projection.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("projection not RUNNING: " + projection.state());
                    }
                    Thread.sleep(100);
                }
                System.out.printf(
                        "projection RUNNING; writing %d events/s for %d s (%s)%n",
                        rate, seconds, enqueue ? "queue record + SUCCEEDED per job" : "SUCCEEDED events only");
                run(server, projection, settings, queue, rate, seconds, enqueue);
            }
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(
            AdminServer server,
            JobStatusProjection projection,
            KafkaSettings settings,
            String queue,
            int rate,
            int seconds,
            boolean enqueue)
            throws Exception {
        Map<String, Object> props = new HashMap<>(settings.producerProperties());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        JobSerde<Job> jobs = JobSerde.forJob(SerdeConfig.singleObject());
        JobSerde<JobEvent> events = JobSerde.forEvent(SerdeConfig.singleObject());
        String eventsTopic = Topics.events(queue);
        byte[] payload = "{\"to\":\"someone@example.com\",\"subject\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
        AtomicLong written = new AtomicLong();
        String lastId = null;
        long maxLag = 0;
        long maxDelayMs = 0;
        Timer delay = server.registry().get("jobstream.status.event.delay").timer();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long nextReport = start + TimeUnit.SECONDS.toNanos(1);
            long lastWritten = 0;
            long job = 0;
            int perJob = enqueue ? 2 : 1;
            while (System.nanoTime() < end) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                while (written.get() + perJob <= due) {
                    String id = "job-" + job++;
                    byte[] key = id.getBytes(StandardCharsets.UTF_8);
                    Instant now = Instant.now();
                    if (enqueue) {
                        Job record = Job.newBuilder()
                                .setId(id)
                                .setType("send_email")
                                .setPayload(ByteBuffer.wrap(payload))
                                .setContentType("application/json")
                                .setCreatedAt(now)
                                .build();
                        RecordHeaders headers = new RecordHeaders();
                        JobHeaders.putText(headers, JobHeaders.JOB_ID, id);
                        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, "send_email");
                        producer.send(new ProducerRecord<>(queue, null, key, jobs.encode(queue, record), headers));
                    }
                    JobEvent event = JobEvent.newBuilder()
                            .setJobId(id)
                            .setQueue(queue)
                            .setType("send_email")
                            .setState(JobState.SUCCEEDED)
                            .setAttempt(1)
                            .setAt(now)
                            .setWorkerId("worker-1")
                            .setError(null)
                            .build();
                    producer.send(new ProducerRecord<>(eventsTopic, key, events.encode(eventsTopic, event)));
                    written.addAndGet(perJob);
                    lastId = id;
                }
                if (System.nanoTime() >= nextReport) {
                    long lag = lag(projection);
                    long delayMax = (long) delay.max(TimeUnit.MILLISECONDS);
                    maxLag = Math.max(maxLag, lag);
                    maxDelayMs = Math.max(maxDelayMs, delayMax);
                    System.out.printf(
                            "t=%2ds written/s=%6d lag_records=%7d event_delay_max_ms=%6d%n",
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                            written.get() - lastWritten,
                            lag,
                            delayMax);
                    lastWritten = written.get();
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
                Thread.sleep(1);
            }
            producer.flush();
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "written %d events in %.1f s = %.0f events/s (%d jobs)%n",
                    written.get(), elapsed, written.get() / elapsed, job);
            long stopped = System.nanoTime();
            String last = lastId;
            while (folded(server) < written.get()) {
                if (System.nanoTime() - stopped > TimeUnit.SECONDS.toNanos(180)) {
                    throw new IllegalStateException(
                            "not every event was folded within 180 s: " + folded(server) + " of " + written.get());
                }
                Thread.sleep(20);
            }
            if (!(projection.lookup(last) instanceof JobStatusLookup.Found found
                    && found.status().state() == JobState.SUCCEEDED)) {
                throw new IllegalStateException("the last job is not SUCCEEDED: " + projection.lookup(last));
            }
            double catchUp = (System.nanoTime() - stopped) / 1e6;
            System.out.printf(
                    "RESULT events_per_s=%.0f max_lag_records=%d max_event_delay_ms=%d all_folded_after_stop_ms=%.0f"
                            + " mean_event_delay_ms=%.1f folded=%d%n",
                    written.get() / elapsed,
                    maxLag,
                    Math.max(maxDelayMs, (long) delay.max(TimeUnit.MILLISECONDS)),
                    catchUp,
                    delay.mean(TimeUnit.MILLISECONDS),
                    delay.count());
        } finally {
            jobs.close();
            events.close();
        }
    }

    /** Events read by the projection so far, whatever their outcome. */
    private static long folded(AdminServer server) {
        return (long) server.registry().find("jobstream.status.events").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    /** The projection's consumer lag, summed over its input partitions (records-lag per partition). */
    private static long lag(JobStatusProjection projection) {
        return (long) projection.streamsMetrics("records-lag").values().stream()
                .filter(v -> !v.isNaN())
                .mapToDouble(Double::doubleValue)
                .sum();
    }
}
