package io.jobstream.bench;

import io.jobstream.bench.Bench.Result;
import io.jobstream.bench.Scenarios.Side;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.coordination.Lock;
import io.jobstream.coordination.Permit;
import io.jobstream.coordination.RateLimiter;
import io.jobstream.coordination.Semaphore;
import io.jobstream.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code coordination}: lock acquire+release pairs, semaphore acquire+release pairs and rate-limiter acquires per
 * second from one JVM with {@value #CLIENTS} virtual threads, against {@code redis-benchmark -c 64 -P 1 EVALSHA} of a
 * trivial script on the same redis-server (started for the run), alternating. A lock or semaphore pair is two script
 * calls, a rate-limiter acquire one.
 */
final class CoordinationScenario {
    static final int CLIENTS = 64;
    static final String PAIRS_PER_SECOND = "pairs/s";
    static final String CALLS_PER_SECOND = "calls/s";
    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("([0-9.]+) requests per second");

    private final PrintWriter log;

    CoordinationScenario(PrintWriter log) {
        this.log = log;
    }

    List<Result> run(long operations, int repeat) throws Exception {
        try (RedisServer redis =
                        RedisServer.builder().name("bench-coordination").build().start();
                Coordination coordination = Coordination.redis(CoordinationConfig.of(redis.uri()))) {
            String sha = loadTrivialScript(redis.uri());
            Semaphore semaphore = coordination.semaphore("bench", CLIENTS, Duration.ofSeconds(30));
            RateLimiter limiter = coordination.rateLimiter("bench", 1_000_000, 1_000_000);
            Operation lock = thread -> {
                try (Lock held = coordination
                        .locks()
                        .tryAcquire("bench-" + thread, Duration.ofSeconds(30), Duration.ZERO)
                        .orElseThrow(() -> new IllegalStateException("a free lock was not granted"))) {
                    held.fencingToken();
                }
            };
            Operation permit = thread -> {
                try (Permit held = semaphore
                        .acquire(Duration.ZERO)
                        .orElseThrow(() -> new IllegalStateException("a free permit was not granted"))) {
                    held.id();
                }
            };
            Operation rate = thread -> limiter.tryAcquire();
            // Unmeasured first runs: JIT, connections and scripts loaded on both sides.
            long warmUp = Math.min(operations, 20_000);
            clients("warm-up locks", warmUp, lock, new Side());
            clients("warm-up semaphore", warmUp, permit, new Side());
            clients("warm-up rate limiter", warmUp, rate, new Side());
            redisBenchmark(redis.port(), warmUp, sha, new Side());

            Side locks = new Side();
            Side permits = new Side();
            Side rates = new Side();
            Side evalsha = new Side();
            for (int i = 0; i < repeat; i++) {
                if (i % 2 == 0) {
                    clients("lock acquire+release", operations, lock, locks);
                    redisBenchmark(redis.port(), operations, sha, evalsha);
                    clients("semaphore acquire+release", operations, permit, permits);
                    clients("rate limiter acquire", operations, rate, rates);
                } else {
                    clients("rate limiter acquire", operations, rate, rates);
                    clients("semaphore acquire+release", operations, permit, permits);
                    redisBenchmark(redis.port(), operations, sha, evalsha);
                    clients("lock acquire+release", operations, lock, locks);
                }
            }
            String reference = "redis-benchmark -c 64 -P 1 EVALSHA <return 1> 0 (calls/s)";
            return List.of(
                    locks.against("coordination-lock", PAIRS_PER_SECOND, evalsha, reference),
                    permits.against("coordination-semaphore", PAIRS_PER_SECOND, evalsha, reference),
                    rates.against("coordination-rate-limit", CALLS_PER_SECOND, evalsha, reference));
        }
    }

    @FunctionalInterface
    interface Operation {
        void run(int thread) throws Exception;
    }

    /** Runs {@code operation} {@code count} times over {@value #CLIENTS} virtual threads; adds the rate to side. */
    private void clients(String name, long count, Operation operation, Side side) throws Exception {
        AtomicLong claimed = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int thread = i;
                workers.add(pool.submit(() -> {
                    while (claimed.getAndIncrement() < count) {
                        operation.run(thread);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(10, TimeUnit.MINUTES);
            }
        }
        double perSecond = done.get() / ((System.nanoTime() - start) / 1e9);
        double cpuMicros = (processCpuNanos() - cpuStart) / 1e3 / Math.max(1, done.get());
        side.add(perSecond, done.get());
        log(
                "%s: %,d in %d threads, %,.0f/s, %.1f µs of this JVM's CPU each",
                name, done.get(), CLIENTS, perSecond, cpuMicros);
    }

    /** CPU time of this JVM, all threads (compilation and GC included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadTrivialScript(String uri) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().scriptLoad("return 1");
        } finally {
            client.shutdown();
        }
    }

    /** {@code redis-benchmark -n count -c 64 -P 1 -q EVALSHA sha 0}; adds its requests/s to side. */
    private void redisBenchmark(int port, long count, String sha, Side side) throws Exception {
        List<String> command = List.of(
                "redis-benchmark",
                "-p",
                Integer.toString(port),
                "-n",
                Long.toString(count),
                "-c",
                Integer.toString(CLIENTS),
                "-P",
                "1",
                "-q",
                "EVALSHA",
                sha,
                "0");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start redis-benchmark (install redis-tools, which also brings redis-server): " + e, e);
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
        // With -q, progress lines end in \r; the last "N requests per second" is the result.
        Matcher matcher = REQUESTS_PER_SECOND.matcher(output);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        if (last == null || process.exitValue() != 0) {
            throw new IllegalStateException(
                    "redis-benchmark printed no result (exit " + process.exitValue() + "): " + output.strip());
        }
        double perSecond = Double.parseDouble(last);
        side.add(perSecond, count);
        log("redis-benchmark EVALSHA: %,d calls, %,.0f/s", count, perSecond);
    }

    private void log(String format, Object... args) {
        if (log != null) {
            log.printf("[bench] " + format + "%n", args);
            log.flush();
        }
    }
}
