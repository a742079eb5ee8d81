package io.jobstream.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.jobstream.bench.Bench.Result;
import io.jobstream.processor.EventLevel;
import io.jobstream.processor.JobHandler;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.OrderingMode;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.ConsumerPerformance;
import org.apache.kafka.tools.ProducerPerformance;

/** The scenarios: each runs both sides alternately, {@code repeat} times, and returns the compared figures. */
final class Scenarios {
    static final String RECORDS_PER_SECOND = "records/s";
    static final String JOBS_PER_SECOND = "jobs/s";
    /** ProducerPerformance's final line: "N records sent, X records/sec (Y MB/sec), ...". */
    private static final Pattern PRODUCER_RESULT = Pattern.compile("^(\\d+) records sent, ([0-9.]+) records/sec");
    /** Producer settings both publish sides use. */
    static final Map<String, String> PRODUCER_SETTINGS =
            Map.of("acks", "all", "linger.ms", "5", "batch.size", "65536", "enable.idempotence", "true");

    /**
     * The processor side's job events ({@code -Djobstream.bench.processor-events=none|outcomes|all}); the processor's
     * default (outcomes: one event per job) when unset.
     */
    static final Optional<EventLevel> PROCESSOR_EVENTS = Optional.ofNullable(
                    System.getProperty("jobstream.bench.processor-events"))
            .map(level -> EventLevel.valueOf(level.trim().toUpperCase(Locale.ROOT)));

    /**
     * Raw Kafka properties for the drain and latency processors (consumer and producer), from {@code
     * -Djobstream.bench.processor-properties=k=v,k=v}.
     */
    static final Map<String, String> PROCESSOR_KAFKA_PROPERTIES =
            parseProperties(System.getProperty("jobstream.bench.processor-properties", ""));

    /**
     * Raw Kafka producer properties for the JobPublisher side of the publish scenario only, on top of {@link
     * #PRODUCER_SETTINGS}, from {@code -Djobstream.bench.publisher-properties=k=v,k=v}: for trying producer settings
     * (the reference side keeps the shared ones).
     */
    static final Map<String, String> PUBLISHER_KAFKA_PROPERTIES =
            parseProperties(System.getProperty("jobstream.bench.publisher-properties", ""));

    private final BenchEnvironment env;
    private final PrintWriter log;
    /** When the last {@link #awaitCount} saw its final count. */
    private long lastCountNanos;

    /** When the last {@link #awaitCount} saw its final count ({@link System#nanoTime()}). */
    long lastCountNanos() {
        return lastCountNanos;
    }

    Scenarios(BenchEnvironment env, PrintWriter log) {
        this.env = env;
        this.log = log;
    }

    /** No-op drain, KEY and UNORDERED, vs ConsumerPerformance, on one pre-filled topic (a new group per run). */
    List<Result> drain(long records, int repeat) throws Exception {
        env.warmUp(Math.min(records, 200_000));
        String queue = env.createQueue("drain");
        env.prefill(queue, records, 0);
        // One unmeasured run of each side first, as in publish: the first run of a processor was 40-60% slower than
        // the next (JIT, and a broker serving a new kind of load), which decided the median of three.
        runDrain(queue, records, OrderingMode.KEY, 1_000, new Side());
        runConsumerPerformance(queue, records, new Side());
        runDrain(queue, records, OrderingMode.UNORDERED, 1_000, new Side());
        Side key = new Side();
        Side unordered = new Side();
        Side reference = new Side();
        for (int i = 0; i < repeat; i++) {
            if (i % 2 == 0) {
                runDrain(queue, records, OrderingMode.KEY, 1_000, key);
                runConsumerPerformance(queue, records, reference);
                runDrain(queue, records, OrderingMode.UNORDERED, 1_000, unordered);
            } else {
                runDrain(queue, records, OrderingMode.UNORDERED, 1_000, unordered);
                runConsumerPerformance(queue, records, reference);
                runDrain(queue, records, OrderingMode.KEY, 1_000, key);
            }
        }
        String ref = "kafka-tools ConsumerPerformance";
        return List.of(
                key.against("drain-key", RECORDS_PER_SECOND, reference, ref),
                unordered.against("drain-unordered", RECORDS_PER_SECOND, reference, ref));
    }

    /** JobPublisher async vs ProducerPerformance, same producer settings and record size. */
    Result publish(long records, int repeat) throws Exception {
        env.warmUp(Math.min(records, 200_000));
        String queue = env.createQueue("publish");
        int recordSize;
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            recordSize = serde.encode(queue, BenchEnvironment.job(null)).length;
        }
        // One unmeasured full-size run of each side first: both then run JIT-compiled code against a warm broker
        // (with 200,000-record warm-ups the first measured run, always JobPublisher's, was still 40-55% slower).
        long warmUp = records;
        runPublisher(queue, warmUp, new Side());
        runProducerPerformance(queue, warmUp, recordSize, new Side());
        Side jobstream = new Side();
        Side reference = new Side();
        for (int i = 0; i < repeat; i++) {
            if (i % 2 == 0) {
                runPublisher(queue, records, jobstream);
                runProducerPerformance(queue, records, recordSize, reference);
            } else {
                runProducerPerformance(queue, records, recordSize, reference);
                runPublisher(queue, records, jobstream);
            }
        }
        return jobstream.against(
                "publish",
                RECORDS_PER_SECOND,
                reference,
                "kafka-tools ProducerPerformance, " + recordSize + " B records");
    }

    /** 5 ms handler, 10,000 keys, KEY mode at concurrency 1,000 (and 10,000) vs Parallel Consumer KEY/1,000. */
    List<Result> ioBound(long records, int repeat) throws Exception {
        env.warmUp(Math.min(records, 200_000));
        String queue = env.createQueue("io");
        env.prefill(queue, records, 10_000);
        Side c1000 = new Side();
        Side c10000 = new Side();
        Side reference = new Side();
        for (int i = 0; i < repeat; i++) {
            if (i % 2 == 0) {
                runSleeping(queue, records, 1_000, c1000);
                runParallelConsumer(queue, records, reference);
                runSleeping(queue, records, 10_000, c10000);
            } else {
                runSleeping(queue, records, 10_000, c10000);
                runParallelConsumer(queue, records, reference);
                runSleeping(queue, records, 1_000, c1000);
            }
        }
        String ref = "Parallel Consumer 0.5.3.3 KEY maxConcurrency 1000";
        return List.of(
                c1000.against("io-bound", JOBS_PER_SECOND, reference, ref),
                c10000.against("io-bound-c10000", JOBS_PER_SECOND, reference, ref));
    }

    private void runDrain(String queue, long records, OrderingMode mode, int concurrency, Side side)
            throws InterruptedException {
        LongAdder done = new LongAdder();
        ProcessorConfig config = ProcessorConfig.builder(queue, env.kafka(PROCESSOR_KAFKA_PROPERTIES))
                .group(queue + ".workers-" + UUID.randomUUID())
                .ordering(mode)
                .concurrency(concurrency)
                .events(PROCESSOR_EVENTS.orElse(
                        ProcessorConfig.EVENTS.defaultValue().orElseThrow()))
                .build();
        runProcessor(config, records, side, "drain " + mode, (ctx, payload) -> done.increment(), done);
    }

    private void runSleeping(String queue, long records, int concurrency, Side side) throws InterruptedException {
        LongAdder done = new LongAdder();
        ProcessorConfig config = ProcessorConfig.builder(queue, env.kafka())
                .group(queue + ".workers-" + UUID.randomUUID())
                .ordering(OrderingMode.KEY)
                .concurrency(concurrency)
                .events(PROCESSOR_EVENTS.orElse(
                        ProcessorConfig.EVENTS.defaultValue().orElseThrow()))
                .build();
        runProcessor(
                config,
                records,
                side,
                "io-bound c" + concurrency,
                (ctx, payload) -> {
                    Thread.sleep(5);
                    done.increment();
                },
                done);
    }

    private void runProcessor(
            ProcessorConfig config, long records, Side side, String what, JobHandler<byte[]> handler, LongAdder done)
            throws InterruptedException {
        System.gc();
        resetPeakHeap();
        JobProcessor processor = JobProcessor.builder(config)
                .meterRegistry(new SimpleMeterRegistry())
                .handle(BenchEnvironment.JOB_TYPE, handler)
                .build();
        CpuUse cpu = CpuUse.now();
        long start = System.nanoTime();
        long counted;
        try {
            processor.start();
            counted = awaitCount(done, records, () -> processor.failure().isPresent());
        } finally {
            processor.close(Duration.ofSeconds(30));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long elapsedNanos = System.nanoTime() - start;
        side.peakHeapMiB = Math.max(side.peakHeapMiB, peakHeapMiB());
        double rate = counted / ((lastCountNanos - start) / 1e9);
        side.add(rate, counted);
        env.log(
                "jobstream %s: %,d jobs, %,.0f/s (incl. close %.1f s); %s",
                what, counted, rate, seconds, CpuUse.jvmPerRecordSince(cpu, counted));
        if (counted != records) {
            throw new IllegalStateException(what + ": counted " + counted + " of " + records + " jobs within the time"
                    + " limit (elapsed " + elapsedNanos / 1_000_000 + " ms)");
        }
    }

    /** Waits until {@code done} reaches {@code records} (or stops moving for 60 s); returns the count. */
    long awaitCount(LongAdder done, long records, BooleanSupplier failed) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long now = done.sum();
            long t = System.nanoTime();
            if (now >= records) {
                lastCountNanos = t;
                return now;
            }
            if (now != last) {
                last = now;
                lastChange = t;
            } else if (t - lastChange > TimeUnit.SECONDS.toNanos(60) || failed.getAsBoolean()) {
                lastCountNanos = t;
                return now;
            }
            Thread.sleep(2);
        }
    }

    void runConsumerPerformance(String queue, long records, Side side) throws Exception {
        String[] args = {
            "--bootstrap-server",
            env.bootstrap(),
            "--topic",
            queue,
            "--num-records",
            Long.toString(records),
            "--group",
            queue + ".perf-" + UUID.randomUUID(),
            "--timeout",
            "120000",
            "--hide-header"
        };
        CpuUse cpu = CpuUse.now();
        String output = captured(() -> ConsumerPerformance.main(args));
        // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, ...
        for (String line : output.split("\\R")) {
            String[] fields = line.split(",\\s*");
            if (fields.length >= 6 && fields[4].matches("\\d+")) {
                long counted = Long.parseLong(fields[4]);
                double rate = Double.parseDouble(fields[5]);
                side.add(rate, counted);
                env.log(
                        "ConsumerPerformance: %,d records, %,.0f/s; %s",
                        counted, rate, CpuUse.jvmPerRecordSince(cpu, counted));
                return;
            }
        }
        throw new IllegalStateException("ConsumerPerformance printed no result:\n" + output);
    }

    private void runPublisher(String queue, long records, Side side) throws InterruptedException {
        LongAdder acked = new LongAdder();
        LongAdder failed = new LongAdder();
        long start;
        CpuUse cpu;
        try (JobPublisher publisher = JobPublisher.create(
                PublisherConfig.defaults(), env.kafka(publisherSettings()), new SimpleMeterRegistry())) {
            // The clock starts once the client exists, as ProducerPerformance's does; the first publish's topic and
            // metadata lookups are timed, as its first send's metadata wait is.
            cpu = CpuUse.now();
            start = System.nanoTime();
            for (long i = 0; i < records; i++) {
                publisher.publish(queue, BenchEnvironment.job(null)).whenComplete((receipt, error) -> {
                    if (error == null) {
                        acked.increment();
                    } else {
                        failed.increment();
                    }
                });
            }
            publisher.flush();
            awaitCount(adderSum(acked, failed), records, () -> false);
        }
        double rate = acked.sum() / ((lastCountNanos - start) / 1e9);
        side.add(rate, acked.sum());
        env.log(
                "JobPublisher: %,d acknowledged (%,d failed), %,.0f/s; %s",
                acked.sum(), failed.sum(), rate, CpuUse.perRecordSince(cpu, records));
        if (acked.sum() != records) {
            throw new IllegalStateException("publish: " + acked.sum() + " of " + records + " acknowledged");
        }
    }

    private static Map<String, String> publisherSettings() {
        Map<String, String> settings = new java.util.HashMap<>(PRODUCER_SETTINGS);
        settings.putAll(PUBLISHER_KAFKA_PROPERTIES);
        return settings;
    }

    private static LongAdder adderSum(LongAdder a, LongAdder b) {
        return new LongAdder() {
            @Override
            public long sum() {
                return a.sum() + b.sum();
            }
        };
    }

    private void runProducerPerformance(String queue, long records, int recordSize, Side side) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--topic",
                queue,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(recordSize),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + env.bootstrap()));
        PRODUCER_SETTINGS.forEach((k, v) -> args.add(k + "=" + v));
        CpuUse cpu = CpuUse.now();
        String output = captured(() -> ProducerPerformance.main(args.toArray(String[]::new)));
        String cpuUse = CpuUse.perRecordSince(cpu, records);
        // "N records sent, X records/sec (Y MB/sec), ..."
        for (String line : output.split("\\R")) {
            Matcher m = PRODUCER_RESULT.matcher(line.trim());
            if (m.find()) {
                long counted = Long.parseLong(m.group(1));
                double rate = Double.parseDouble(m.group(2));
                side.add(rate, counted);
                env.log("ProducerPerformance: %,d records, %,.0f/s; %s", counted, rate, cpuUse);
                return;
            }
        }
        throw new IllegalStateException("ProducerPerformance printed no result:\n" + output);
    }

    private void runParallelConsumer(String queue, long records, Side side) throws InterruptedException {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, queue + ".pc-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ParallelConsumerOptions<byte[], byte[]> options = ParallelConsumerOptions.<byte[], byte[]>builder()
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(1_000)
                .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                .consumer(consumer)
                .build();
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long counted;
        ParallelStreamProcessor<byte[], byte[]> pc = ParallelStreamProcessor.createEosStreamProcessor(options);
        try {
            pc.subscribe(List.of(queue));
            pc.poll(context -> {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.add(context.size());
            });
            counted = awaitCount(done, records, () -> false);
        } finally {
            pc.close();
        }
        double rate = counted / ((lastCountNanos - start) / 1e9);
        side.add(rate, counted);
        env.log("Parallel Consumer: %,d jobs, %,.0f/s", counted, rate);
        if (counted < records) {
            throw new IllegalStateException("Parallel Consumer counted " + counted + " of " + records);
        }
    }

    static Map<String, String> parseProperties(String text) {
        Map<String, String> properties = new HashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                properties.put(
                        pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return Map.copyOf(properties);
    }

    @FunctionalInterface
    interface Tool {
        void run() throws Exception;
    }

    /** Runs a Kafka tool's main in-process with its stdout captured (and its exit calls turned into exceptions). */
    static synchronized String captured(Tool tool) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.out;
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("tool exited with " + code + ": " + message);
        });
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            tool.run();
        } finally {
            System.setOut(original);
            Exit.resetExitProcedure();
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    static long peakHeapMiB() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024 * 1024);
    }

    /** One side's values over the repetitions. */
    static final class Side {
        final List<Double> values = new ArrayList<>();
        final List<Long> counted = new ArrayList<>();
        long peakHeapMiB = -1;

        void add(double value, long count) {
            values.add(value);
            counted.add(count);
        }

        Result against(String scenario, String unit, Side reference, String referenceName) {
            return new Result(
                    scenario,
                    unit,
                    List.copyOf(values),
                    List.copyOf(reference.values),
                    List.copyOf(counted),
                    List.copyOf(reference.counted),
                    peakHeapMiB,
                    referenceName);
        }
    }
}
