package io.jobstream.coordination;

import io.jobstream.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * A throughput harness, not a test: lock acquire+release and semaphore acquire+release round trips per second from
 * one JVM with 64 virtual threads, beside {@code redis-benchmark EVALSHA} on the same redis-server in the same run.
 *
 * <pre>{@code
 * java -cp <test class path> io.jobstream.coordination.CoordinationThroughput [seconds-per-phase]
 * }</pre>
 */
public final class CoordinationThroughput {

    private static final int THREADS = 64;

    private CoordinationThroughput() {}

    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        try (RedisServer redis =
                        RedisServer.builder().name("coordination-bench").build().start();
                Coordination coordination = Coordination.redis(CoordinationConfig.of(redis.uri()))) {
            System.out.printf(
                    "redis-server on port %d, %d virtual threads, %s per phase%n", redis.port(), THREADS, phase);

            run("warm-up", phase.dividedBy(2), i -> {
                try (Lock lock = coordination
                        .locks()
                        .tryAcquire("bench-" + i, Duration.ofSeconds(30), Duration.ZERO)
                        .orElseThrow()) {
                    lock.fencingToken();
                }
            });
            double locks = run("lock acquire+release", phase, i -> {
                try (Lock lock = coordination
                        .locks()
                        .tryAcquire("bench-" + i, Duration.ofSeconds(30), Duration.ZERO)
                        .orElseThrow()) {
                    lock.fencingToken();
                }
            });
            Semaphore semaphore = coordination.semaphore("bench", THREADS, Duration.ofSeconds(30));
            double permits = run("semaphore acquire+release", phase, i -> {
                try (Permit permit = semaphore.acquire(Duration.ZERO).orElseThrow()) {
                    permit.id();
                }
            });

            String trivialSha;
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                trivialSha = connection.sync().scriptLoad("return 1");
            } finally {
                client.shutdown();
            }
            double evalsha = redisBenchmark(redis.port(), "EVALSHA", trivialSha, "0");

            System.out.printf("redis-benchmark -n 200000 -c 64 -P 1 EVALSHA <return 1> 0: %.0f ops/s%n", evalsha);
            System.out.printf(
                    "lock acquire+release: %.0f/s = %.0f%% of EVALSHA ops/s (%.0f%% counting its 2 script calls)%n",
                    locks, 100 * locks / evalsha, 200 * locks / evalsha);
            System.out.printf(
                    "semaphore acquire+release: %.0f/s = %.0f%% of EVALSHA ops/s (%.0f%% counting its 2 script calls)%n",
                    permits, 100 * permits / evalsha, 200 * permits / evalsha);
        }
    }

    interface Operation {
        void run(int thread) throws Exception;
    }

    private static double run(String name, Duration duration, Operation operation) throws Exception {
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int thread = i;
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        operation.run(thread);
                        done.increment();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        double perSecond = done.sum() / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%s: %.0f/s%n", name, perSecond);
        return perSecond;
    }

    private static double redisBenchmark(int port, String... command) throws Exception {
        List<String> arguments = new ArrayList<>(
                List.of("redis-benchmark", "-p", Integer.toString(port), "-n", "200000", "-c", "64", "-P", "1", "-q"));
        arguments.addAll(List.of(command));
        Process process =
                new ProcessBuilder(arguments).redirectErrorStream(true).start();
        String output;
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output = String.join("\n", reader.lines().toList());
        } finally {
            process.waitFor();
        }
        // "EVALSHA ...: 95057.03 requests per second, p50=0.327 msec"
        java.util.regex.Matcher matcher =
                java.util.regex.Pattern.compile("([0-9.]+) requests per second").matcher(output);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        if (last == null) {
            throw new IllegalStateException("cannot read redis-benchmark output: " + output);
        }
        return Double.parseDouble(last);
    }
}
