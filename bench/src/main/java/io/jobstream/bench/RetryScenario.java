package io.jobstream.bench;

import io.jobstream.bench.Bench.Result;
import io.jobstream.bench.Scenarios.Side;
import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.LagSampler;
import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code retry}: the dlq-service's failure router on a pre-filled {@code <queue>.failed} (half retryable failures,
 * which go to a delay tier, half non-retryable ones, which are dead-lettered) against {@code ConsumerPerformance}
 * reading the same topic; then the delay lateness of jobs published with a due time through the delay tiers.
 */
final class RetryScenario {
    static final String FAILURES_PER_SECOND = "failures/s";
    static final String MILLISECONDS = "ms";

    /** Default tiers (1s, 5s, 30s, 2m, 10m, 1h, 6h), as a deployment has them. */
    private static final DelayTiers TIERS = DelayTiers.defaults();

    /**
     * 5 attempts, 10 minutes between them: retries wait in the 10m tier, so the forwarder (running, as in production)
     * forwards nothing while the router is measured.
     */
    private static final RetryPolicies POLICIES = new RetryPolicies(
            new RetryPolicy(
                    5,
                    new Backoff(Duration.ofMinutes(10), 1.0, Duration.ofMinutes(10), Backoff.Jitter.NONE),
                    Set.of(),
                    Set.of()),
            Map.of());

    /** Delayed jobs are due this long after they are published, uniformly spread. */
    private static final long MIN_DELAY_MS = 500;

    private static final long MAX_DELAY_MS = 8_000;

    private final BenchEnvironment env;
    private final Scenarios scenarios;

    RetryScenario(BenchEnvironment env, Scenarios scenarios) {
        this.env = env;
        this.scenarios = scenarios;
    }

    /** Delayed jobs per lateness round for {@code failures} router records: a twentieth, 100 to 10,000. */
    static long delayedJobs(long failures) {
        return Math.max(100, Math.min(10_000, failures / 20));
    }

    List<Result> run(long failures, int repeat) throws Exception {
        env.warmUp(Math.min(failures, 200_000));
        // One unmeasured run of each side first: both then run JIT-compiled code.
        long warmUp = Math.max(1, Math.min(failures / 4, 50_000));
        String warmQueue = env.createQueueWithTiers("retry-warmup", TIERS);
        prefillFailures(warmQueue, warmUp);
        runRouter(warmQueue, warmUp, new Side());
        scenarios.runConsumerPerformance(Topics.failed(warmQueue), warmUp, new Side());
        Side router = new Side();
        Side reference = new Side();
        for (int i = 0; i < repeat; i++) {
            // The router's Streams application id follows from the queue: each round gets its own queue.
            String queue = env.createQueueWithTiers("retry", TIERS);
            prefillFailures(queue, failures);
            if (i % 2 == 0) {
                runRouter(queue, failures, router);
                scenarios.runConsumerPerformance(Topics.failed(queue), failures, reference);
            } else {
                scenarios.runConsumerPerformance(Topics.failed(queue), failures, reference);
                runRouter(queue, failures, router);
            }
        }
        Result routed = router.against(
                "retry-router",
                FAILURES_PER_SECOND,
                reference,
                "kafka-tools ConsumerPerformance on <queue>.failed (records/s)");

        Side p99 = new Side();
        Side max = new Side();
        Side bound = new Side();
        long jobs = delayedJobs(failures);
        String queue = env.createQueueWithTiers("delay", TIERS);
        try (Running running = startService(queue, new SimpleMeterRegistry())) {
            for (int i = 0; i < repeat; i++) {
                Histogram lateness = runDelayed(queue, jobs);
                if (!running.service().isRunning()) {
                    throw new IllegalStateException("the dlq-service stopped during the lateness runs: "
                            + running.service().problems());
                }
                p99.add(lateness.getValueAtPercentile(99.0), lateness.getTotalCount());
                max.add(lateness.getMaxValue(), lateness.getTotalCount());
                bound.add(TIERS.smallest().toMillis(), lateness.getTotalCount());
            }
        }
        String boundName = "bound: the smallest delay tier (" + TIERS.smallest().toMillis() + " ms)";
        return List.of(
                routed,
                p99.against("delay-lateness-p99", MILLISECONDS, bound, boundName),
                max.against("delay-lateness-max", MILLISECONDS, bound, boundName));
    }

    /** Half retryable HANDLER_ERROR failures (attempt 1), half UNKNOWN_TYPE ones (never retried), interleaved. */
    private void prefillFailures(String queue, long failures) throws Exception {
        String failed = Topics.failed(queue);
        Instant now = Instant.now();
        try (JobSerde<JobFailure> serde = JobSerde.forFailure(SerdeConfig.singleObject())) {
            env.write(failed, failures, i -> {
                Job job = BenchEnvironment.job(null);
                boolean retryable = i % 2 == 0;
                JobFailure failure = JobFailure.newBuilder()
                        .setJob(job)
                        .setReason(retryable ? FailureReason.HANDLER_ERROR : FailureReason.UNKNOWN_TYPE)
                        .setErrorClass(retryable ? "java.io.IOException" : null)
                        .setMessage(retryable ? "connection reset" : "no handler for type noop")
                        .setRetryable(retryable)
                        .setFailedAt(now)
                        .setWorkerId("bench-worker")
                        .setSourceTopic(queue)
                        .setSourcePartition((int) (i % BenchEnvironment.PARTITIONS))
                        .setSourceOffset(i)
                        .build();
                return new ProducerRecord<>(
                        failed, job.getId().getBytes(StandardCharsets.UTF_8), serde.encode(failed, failure));
            });
        }
    }

    private Running startService(String queue, MeterRegistry registry) throws IOException {
        Path stateDir = Files.createTempDirectory("jobstream-bench-dlq-");
        DlqServiceConfig config = DlqServiceConfig.builder(List.of(queue))
                .tiers(TIERS)
                .retry(POLICIES)
                .historyLimit(20)
                .stateDir(stateDir)
                .maxPollWait(Duration.ofSeconds(1))
                .forwarderRetryBackoff(Duration.ofSeconds(1))
                .build();
        DlqService service =
                DlqService.builder(config, env.kafka()).registry(registry).build();
        Running running = new Running(service, stateDir);
        try {
            service.start();
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
        return running;
    }

    /**
     * Runs the dlq-service (router and forwarder) until the router's committed offsets reach the end of {@code
     * <queue>.failed}; the rate is failures / time from {@code start()} to that commit.
     */
    private void runRouter(String queue, long failures, Side side) throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Map<TopicPartition, Long> ends = endOffsets(Topics.failed(queue));
        long start = System.nanoTime();
        long committed;
        long end;
        try (Running running = startService(queue, registry)) {
            committed = awaitCommitted(Names.dlqRouter(queue), ends, failures, running.service());
            end = System.nanoTime();
        }
        double retries = sum(registry, "jobstream.retries.scheduled");
        double deadLetters = sum(registry, "jobstream.dead-letters");
        double rate = committed / ((end - start) / 1e9);
        side.add(rate, committed);
        env.log(
                "failure router: %,d failures committed (%,.0f retries scheduled, %,.0f dead letters), %,.0f/s",
                committed, retries, deadLetters, rate);
        if (committed != failures || retries + deadLetters < failures) {
            throw new IllegalStateException("failure router: committed " + committed + " of " + failures + " failures ("
                    + retries + " retries, " + deadLetters + " dead letters) within the time limit");
        }
    }

    /** Polls the group's committed offsets until they reach {@code ends} (or stop moving for 60 s); returns their sum. */
    private long awaitCommitted(String group, Map<TopicPartition, Long> ends, long records, DlqService service)
            throws InterruptedException, ExecutionException {
        LagSampler sampler = new LagSampler(env.admin(), Duration.ofSeconds(30));
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            GroupLagSample sample = sampler.sample(group, ends.keySet());
            if (sample instanceof GroupLagSample.Failed failed) {
                throw new IllegalStateException("failure router's offsets: " + failed.error());
            }
            long committed = 0;
            for (LagSampler.PartitionLag partition : ((GroupLagSample.Read) sample).partitions()) {
                committed += partition.committed().orElse(0);
            }
            if (committed >= records) {
                return committed;
            }
            long now = System.nanoTime();
            if (committed != last) {
                last = committed;
                lastChange = now;
            } else if (now - lastChange > TimeUnit.SECONDS.toNanos(60) || !service.isRunning()) {
                env.log("failure router stopped short: %s", service.problems());
                return committed;
            }
            Thread.sleep(20);
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < BenchEnvironment.PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        env.admin().listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static double sum(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /**
     * Publishes {@code jobs} jobs due {@value #MIN_DELAY_MS}–{@value #MAX_DELAY_MS} ms later (JobPublisher writes them
     * to their delay tier), reads {@code <queue>} ({@code read_committed}) until every one arrived, and returns the
     * lateness in ms of each (arrival − due). Fails when a job arrives early or not at all.
     */
    private Histogram runDelayed(String queue, long jobs) throws Exception {
        Histogram lateness = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        LongAdder early = new LongAdder();
        long minLateness = Long.MAX_VALUE;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < BenchEnvironment.PARTITIONS; p++) {
                partitions.add(new TopicPartition(queue, p));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before anything is forwarded

            publishDelayed(queue, jobs);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MS + 60_000);
            while (lateness.getTotalCount() + early.sum() < jobs && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long arrived = System.currentTimeMillis();
                    Instant due = JobHeaders.instant(record.headers(), JobHeaders.DUE_AT)
                            .orElseThrow(() -> new IllegalStateException("a forwarded job has no due time"));
                    long late = arrived - due.toEpochMilli();
                    minLateness = Math.min(minLateness, late);
                    if (late < 0) {
                        early.increment();
                    } else {
                        lateness.recordValue(late);
                    }
                }
            }
        }
        env.log(
                "delay lateness: %,d jobs due %d-%d ms after publishing, p50 %d ms, p99 %d ms, max %d ms, min %d ms,"
                        + " %d early",
                lateness.getTotalCount(),
                MIN_DELAY_MS,
                MAX_DELAY_MS,
                lateness.getValueAtPercentile(50),
                lateness.getValueAtPercentile(99),
                lateness.getMaxValue(),
                minLateness,
                early.sum());
        if (early.sum() > 0) {
            throw new IllegalStateException(early.sum() + " delayed jobs arrived before they were due");
        }
        if (lateness.getTotalCount() != jobs) {
            throw new IllegalStateException(
                    "delay lateness: " + lateness.getTotalCount() + " of " + jobs + " delayed jobs arrived");
        }
        return lateness;
    }

    private void publishDelayed(String queue, long jobs) {
        LongAdder failed = new LongAdder();
        try (JobPublisher publisher =
                JobPublisher.create(PublisherConfig.defaults(), env.kafka(), new SimpleMeterRegistry())) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (long i = 0; i < jobs; i++) {
                // Due relative to this job's own publish: always at least MIN_DELAY_MS ahead, so always in a tier.
                Instant due = Instant.ofEpochMilli(
                        System.currentTimeMillis() + random.nextLong(MIN_DELAY_MS, MAX_DELAY_MS + 1));
                Job job = Jobs.builder(BenchEnvironment.JOB_TYPE)
                        .payload(new byte[BenchEnvironment.PAYLOAD_BYTES])
                        .notBefore(due)
                        .build();
                publisher.publish(queue, job).whenComplete((receipt, error) -> {
                    if (error != null) {
                        failed.increment();
                    }
                });
            }
            publisher.flush();
        }
        if (failed.sum() > 0) {
            throw new IllegalStateException(failed.sum() + " of " + jobs + " delayed jobs were not published");
        }
    }

    /** A started dlq-service and its Kafka Streams state directory, deleted on close. */
    private record Running(DlqService service, Path stateDir) implements AutoCloseable {
        @Override
        public void close() {
            try {
                service.close(Duration.ofSeconds(30));
            } finally {
                deleteRecursively(stateDir);
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
