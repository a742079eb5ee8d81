package io.jobstream.bench;

import io.jobstream.bench.Bench.Result;
import io.jobstream.bench.Scenarios.Side;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.OrderingMode;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Ulid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code latency}: publish → handler-start latency at fixed rates (1k, 10k, 50k jobs/s): {@code JobPublisher} in a
 * rate-limited loop into a {@code JobProcessor} whose handler records {@code now − the publish time carried in the
 * payload}, against a plain {@code KafkaProducer} → {@code KafkaConsumer} (assigned, no group) carrying the same
 * timestamp in same-sized records at the same rate. Both producers: {@code acks=all}, idempotent, {@code linger.ms=1}.
 * Percentiles p50, p99 and p99.9 from HdrHistogram, in milliseconds.
 */
final class LatencyScenario {
    static final String MILLISECONDS = "ms";

    /** The rates, jobs/s. */
    static final List<Integer> RATES = List.of(1_000, 10_000, 50_000);

    /** Each rate runs at most this long (fewer jobs than {@code --records} at low rates). */
    static final long SECONDS_PER_RATE = 5;

    /** Producer settings of both sides. */
    static final Map<String, String> PRODUCER_SETTINGS =
            Map.of("acks", "all", "linger.ms", "1", "enable.idempotence", "true");

    /** The percentiles reported, with their result-name suffixes. */
    private static final Map<String, Double> PERCENTILES = percentiles();

    /** Payload byte 8 onwards is zero; bytes 0–7 hold the publish time ({@link System#nanoTime()}), 0 = warm-up job. */
    private static final long WARM_UP = 0L;

    private final BenchEnvironment env;
    private final Scenarios scenarios;

    LatencyScenario(BenchEnvironment env, Scenarios scenarios) {
        this.env = env;
        this.scenarios = scenarios;
    }

    private static Map<String, Double> percentiles() {
        Map<String, Double> percentiles = new LinkedHashMap<>();
        percentiles.put("p50", 50.0);
        percentiles.put("p99", 99.0);
        percentiles.put("p99.9", 99.9);
        return percentiles;
    }

    /**
     * Unmeasured jobs sent at the measured rate right before the measured ones, on both sides: the first half second
     * of traffic on a fresh topic is acknowledged late (0.3–0.6 s, seen in the plain producer's own send-to-ack
     * times, with the machine itself showing no pause over 35 ms), a one-off at the start of each run that decided
     * every p99 of a 5-second window. The target is the steady state.
     */
    static final long WARM_UP_SECONDS = 2;

    static long steadyStateWarmUp(int rate) {
        return rate * WARM_UP_SECONDS;
    }

    /** Jobs published at {@code rate} for {@code records}: at most {@value #SECONDS_PER_RATE} s worth. */
    static long jobsAt(int rate, long records) {
        return Math.min(records, rate * SECONDS_PER_RATE);
    }

    /** The name of the result of {@code percentile} at {@code rate}, e.g. {@code latency-10k-p99}. */
    static String resultName(int rate, String percentile) {
        return "latency-" + (rate / 1_000) + "k-" + percentile;
    }

    List<Result> run(long records, int repeat) throws Exception {
        env.warmUp(Math.min(records, 200_000));
        int recordSize;
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            recordSize = serde.encode("latency", BenchEnvironment.job(null)).length;
        }
        // One unmeasured run of each side: both then run JIT-compiled code.
        long warmUpJobs = jobsAt(10_000, Math.min(records, 20_000));
        runJobstream(10_000, warmUpJobs);
        runKafka(10_000, warmUpJobs, recordSize);

        Map<String, Side> jobstream = new LinkedHashMap<>();
        Map<String, Side> kafka = new LinkedHashMap<>();
        for (int rate : RATES) {
            for (String percentile : PERCENTILES.keySet()) {
                jobstream.put(resultName(rate, percentile), new Side());
                kafka.put(resultName(rate, percentile), new Side());
            }
        }
        for (int i = 0; i < repeat; i++) {
            for (int rate : RATES) {
                long jobs = jobsAt(rate, records);
                if (i % 2 == 0) {
                    record(rate, runJobstream(rate, jobs), jobstream);
                    record(rate, runKafka(rate, jobs, recordSize), kafka);
                } else {
                    record(rate, runKafka(rate, jobs, recordSize), kafka);
                    record(rate, runJobstream(rate, jobs), jobstream);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        String reference = "KafkaProducer -> KafkaConsumer, " + recordSize + " B records, same rate";
        for (Map.Entry<String, Side> entry : jobstream.entrySet()) {
            results.add(entry.getValue().against(entry.getKey(), MILLISECONDS, kafka.get(entry.getKey()), reference));
        }
        return results;
    }

    private static void record(int rate, Histogram micros, Map<String, Side> sides) {
        for (Map.Entry<String, Double> percentile : PERCENTILES.entrySet()) {
            sides.get(resultName(rate, percentile.getKey()))
                    .add(micros.getValueAtPercentile(percentile.getValue()) / 1_000.0, micros.getTotalCount());
        }
    }

    /** JobPublisher → JobProcessor (UNORDERED, concurrency 1,000) on a fresh queue; returns latencies in µs. */
    private Histogram runJobstream(int rate, long jobs) throws Exception {
        String queue = env.createQueue("latency");
        ConcurrentHistogram micros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        LongAdder warm = new LongAdder();
        ProcessorConfig config = ProcessorConfig.builder(queue, env.kafka(Scenarios.PROCESSOR_KAFKA_PROPERTIES))
                .group(queue + ".workers-" + UUID.randomUUID())
                .ordering(OrderingMode.UNORDERED)
                .concurrency(1_000)
                .events(Scenarios.PROCESSOR_EVENTS.orElse(
                        ProcessorConfig.EVENTS.defaultValue().orElseThrow()))
                .build();
        JobProcessor processor = JobProcessor.builder(config)
                .meterRegistry(new SimpleMeterRegistry())
                .handle(BenchEnvironment.JOB_TYPE, (ctx, payload) -> {
                    long now = System.nanoTime();
                    long sent = ByteBuffer.wrap(payload).getLong();
                    if (sent == WARM_UP) {
                        warm.increment();
                    } else {
                        micros.recordValue(Math.max(0, (now - sent) / 1_000));
                    }
                })
                .build();
        double achieved;
        try (JobPublisher publisher = JobPublisher.create(
                PublisherConfig.defaults(), env.kafka(PRODUCER_SETTINGS), new SimpleMeterRegistry())) {
            processor.start();
            // Warm-up jobs until the processor has its partitions and handles them: only then is the clock started.
            List<CompletableFuture<JobReceipt>> warmUps = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                warmUps.add(publisher.publish(queue, job(WARM_UP)));
            }
            publisher.flush();
            warmUps.forEach(CompletableFuture::join);
            awaitAtLeast(warm, 100, "jobstream warm-up jobs", () -> processor
                    .failure()
                    .map(Throwable::toString));
            paced(rate, steadyStateWarmUp(rate), () -> publisher.publish(queue, job(WARM_UP)));
            LongAdder failed = new LongAdder();
            achieved = paced(rate, jobs, () -> publisher
                    .publish(queue, job(System.nanoTime()))
                    .whenComplete((receipt, error) -> {
                        if (error != null) {
                            failed.increment();
                        }
                    }));
            publisher.flush();
            awaitHistogram(micros, jobs, () -> processor.failure().isPresent());
            if (failed.sum() > 0) {
                throw new IllegalStateException("latency: " + failed.sum() + " of " + jobs + " jobs not published");
            }
        } finally {
            processor.close(Duration.ofSeconds(30));
        }
        log("jobstream", rate, achieved, micros);
        return micros;
    }

    /** KafkaProducer → KafkaConsumer (assigned to every partition from its end) on a fresh topic; latencies in µs. */
    private Histogram runKafka(int rate, long records, int recordSize) throws Exception {
        String topic = env.createQueue("latency-kafka");
        ConcurrentHistogram micros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Object> producerProps = new HashMap<>(PRODUCER_SETTINGS);
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        LongAdder warm = new LongAdder();
        double achieved;
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < BenchEnvironment.PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Thread poller = Thread.ofPlatform().name("bench-latency-consumer").start(() -> {
                try {
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            long now = System.nanoTime();
                            long sent = ByteBuffer.wrap(record.value()).getLong();
                            if (sent == WARM_UP) {
                                warm.increment();
                            } else {
                                micros.recordValue(Math.max(0, (now - sent) / 1_000));
                            }
                        }
                    }
                } catch (Throwable e) {
                    consumerFailure.set(e);
                }
            });
            try {
                for (int i = 0; i < 100; i++) {
                    producer.send(record(topic, WARM_UP, recordSize));
                }
                producer.flush();
                awaitAtLeast(warm, 100, "kafka warm-up records", () -> Optional.ofNullable(consumerFailure.get())
                        .map(Throwable::toString));
                paced(rate, steadyStateWarmUp(rate), () -> producer.send(record(topic, WARM_UP, recordSize)));
                LongAdder failed = new LongAdder();
                achieved = paced(
                        rate,
                        records,
                        () -> producer.send(record(topic, System.nanoTime(), recordSize), (m, e) -> {
                            if (e != null) {
                                failed.increment();
                            }
                        }));
                producer.flush();
                awaitHistogram(micros, records, () -> consumerFailure.get() != null);
                if (failed.sum() > 0) {
                    throw new IllegalStateException("latency: " + failed.sum() + " of " + records + " not sent");
                }
            } finally {
                stop.set(true);
                poller.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        if (consumerFailure.get() != null) {
            throw new IllegalStateException("latency: the reference consumer failed", consumerFailure.get());
        }
        log("kafka", rate, achieved, micros);
        return micros;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, long sentNanos, int size) {
        byte[] value = new byte[size];
        ByteBuffer.wrap(value).putLong(sentNanos);
        return new ProducerRecord<>(topic, Ulid.next().getBytes(StandardCharsets.UTF_8), value);
    }

    private static Job job(long sentNanos) {
        byte[] payload = new byte[BenchEnvironment.PAYLOAD_BYTES];
        ByteBuffer.wrap(payload).putLong(sentNanos);
        return Jobs.builder(BenchEnvironment.JOB_TYPE).payload(payload).build();
    }

    /**
     * Calls {@code send} {@code count} times, the i-th at {@code start + i / rate} or soon after: the pacer sleeps
     * until the next send is due and then sends every one that is due (at 10k/s that is a few per wake-up, as the
     * sleep overshoots by tens of microseconds). It never spins: a pacer spinning between sends 100 µs apart took a
     * whole core of this 2-core machine from the broker and the consumer it measures. Each job carries the time it
     * was actually sent, so a late send adds nothing to the measured latency. Returns the rate achieved.
     */
    private static double paced(int rate, long count, Runnable send) {
        long start = System.nanoTime();
        double interval = 1e9 / rate;
        for (long i = 0; i < count; i++) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            send.run();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private void awaitAtLeast(LongAdder counter, long count, String what, Supplier<Optional<String>> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.sum() < count) {
            Optional<String> failed = failure.get();
            if (System.nanoTime() > deadline || failed.isPresent()) {
                throw new IllegalStateException(
                        "latency: " + counter.sum() + " of " + count + " " + what + " arrived within 60 s"
                                + failed.map(f -> " (" + f + ")").orElse(""));
            }
            Thread.sleep(5);
        }
    }

    private void awaitHistogram(ConcurrentHistogram histogram, long count, BooleanSupplier failed)
            throws InterruptedException {
        LongAdder seen = new LongAdder() {
            @Override
            public long sum() {
                return histogram.getTotalCount();
            }
        };
        long counted = scenarios.awaitCount(seen, count, failed);
        if (counted != count) {
            throw new IllegalStateException("latency: " + counted + " of " + count + " jobs arrived");
        }
    }

    private void log(String side, int rate, double achieved, Histogram micros) {
        env.log(
                "%s at %,d/s (achieved %,.0f/s): %,d jobs, p50 %s, p99 %s, p99.9 %s, max %s",
                side,
                rate,
                achieved,
                micros.getTotalCount(),
                ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(99)),
                ms(micros.getValueAtPercentile(99.9)),
                ms(micros.getMaxValue()));
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1_000.0);
    }
}
