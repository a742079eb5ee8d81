package io.jobstream.coordination;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lock contender in its own JVM, started by {@link MultiJvmCoordinationIT}. Modes:
 *
 * <ul>
 *   <li>{@code contend <redis-uri> <lock> <run-ms> <threads>}: contends like {@link #contend}; prints {@code
 *       grants=<n> violations=<n>}.
 *   <li>{@code hold <redis-uri> <lock> <semaphore> <lease-ms>}: takes the lock and 5 of 10 permits (watchdog
 *       renewal), prints {@code HELD <token>}, then on each stdin line {@code check} prints {@code renew=<b>
 *       release=<b> valid=<b>} for the lock.
 * </ul>
 */
public final class LockContender {

    private LockContender() {}

    public static void main(String[] args) throws Exception {
        try (Coordination coordination = Coordination.redis(CoordinationConfig.of(args[1]))) {
            switch (args[0]) {
                case "contend" -> {
                    Result result = contend(
                            coordination,
                            args[1],
                            args[2],
                            Duration.ofMillis(Long.parseLong(args[3])),
                            Integer.parseInt(args[4]));
                    System.out.println("grants=" + result.grants() + " violations=" + result.violations());
                }
                case "hold" -> hold(coordination, args[2], args[3], Duration.ofMillis(Long.parseLong(args[4])));
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    /** What one JVM saw while contending. */
    public record Result(int grants, int violations) {}

    /**
     * {@code threads} virtual threads take the lock {@code lock} repeatedly for {@code run}. Inside the critical
     * section each increments a counter in Redis (shared by every JVM) and swaps in its fencing token: a counter above
     * 1, or a token not greater than the previous one, is a violation.
     */
    public static Result contend(Coordination coordination, String redisUri, String lock, Duration run, int threads)
            throws Exception {
        RedisClient client = RedisClient.create(redisUri);
        String inside = "jobstream:{test:" + lock + "}:inside";
        String lastToken = "jobstream:{test:" + lock + "}:last-token";
        AtomicInteger grants = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        long end = System.nanoTime() + run.toNanos();
        try (StatefulRedisConnection<String, String> connection = client.connect();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            RedisCommands<String, String> redis = connection.sync();
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        Optional<Lock> acquired =
                                coordination.locks().tryAcquire(lock, Duration.ofSeconds(10), Duration.ofSeconds(5));
                        if (acquired.isEmpty()) {
                            continue;
                        }
                        try (Lock held = acquired.get()) {
                            if (redis.incr(inside) > 1) {
                                violations.incrementAndGet();
                            }
                            String previous = redis.setGet(lastToken, Long.toString(held.fencingToken()));
                            if (previous != null && Long.parseLong(previous) >= held.fencingToken()) {
                                violations.incrementAndGet();
                            }
                            grants.incrementAndGet();
                            redis.decr(inside);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            client.shutdown();
        }
        return new Result(grants.get(), violations.get());
    }

    private static void hold(Coordination coordination, String lockName, String semaphoreName, Duration lease)
            throws Exception {
        Lock lock = coordination
                .locks()
                .tryAcquire(lockName, lease, Duration.ofSeconds(10))
                .orElseThrow();
        Semaphore semaphore = coordination.semaphore(semaphoreName, 10, lease);
        for (int i = 0; i < 5; i++) {
            semaphore.acquire(Duration.ofSeconds(10)).orElseThrow();
        }
        System.out.println("HELD " + lock.fencingToken());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("check")) {
                boolean renewed = lock.renew();
                boolean released = lock.release();
                boolean valid = lock.validate();
                System.out.println("renew=" + renewed + " release=" + released + " valid=" + valid);
                System.out.flush();
            }
        }
    }
}
