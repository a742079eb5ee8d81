package io.jobstream.coordination;

import io.jobstream.coordination.internal.BackendCoordination;
import io.jobstream.coordination.internal.InMemoryBackend;
import io.jobstream.coordination.internal.RedisBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The entry point to Jobstream's coordination primitives: {@link Locks locks with fencing tokens}, {@link Semaphore
 * semaphores}, {@link RateLimiter rate limiters}, the {@link IdempotencyGuard idempotency guard} and {@link
 * LeaderElection leader election}.
 *
 * <pre>{@code
 * try (Coordination coordination = Coordination.redis(CoordinationConfig.of("redis://127.0.0.1:6379"))) {
 *     Optional<Lock> lock = coordination.locks().tryAcquire("account-42", Duration.ofSeconds(30), Duration.ofSeconds(5));
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: one instance serves a whole JVM. {@link #close()} stops every watchdog and closes the connections;
 * leases still held then expire on the server.
 */
public interface Coordination extends AutoCloseable {

    /**
     * Primitives backed by a Redis-protocol server (Redis, Redis Cluster, Dragonfly). Connects at once.
     *
     * @throws CoordinationUnavailableException when the server cannot be reached
     */
    static Coordination redis(CoordinationConfig config) {
        Objects.requireNonNull(config, "config");
        return new BackendCoordination(RedisBackend.connect(config), config);
    }

    /**
     * Primitives held in this JVM only, for {@code jobstream dev} and unit tests. Leases expire by {@code clock}; the
     * rate limiter reads {@code clock} too.
     */
    static Coordination inMemory(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        CoordinationConfig config = CoordinationConfig.of(CoordinationConfig.IN_MEMORY_URI);
        return new BackendCoordination(new InMemoryBackend(clock), config);
    }

    /** Exclusive locks with fencing tokens. */
    Locks locks();

    /** A semaphore of {@code permits} leases named {@code name}, each lease lasting {@link CoordinationConfig#lease()}. */
    Semaphore semaphore(String name, int permits);

    /** A semaphore of {@code permits} leases named {@code name}, each lease lasting {@code lease} until renewed. */
    Semaphore semaphore(String name, int permits, Duration lease);

    /**
     * A rate limiter named {@code name} shared by every process using that name: on average {@code permitsPerSecond}
     * grants per second, up to {@code burst} at once after a quiet period (GCRA).
     */
    RateLimiter rateLimiter(String name, double permitsPerSecond, int burst);

    /** Claims job ids so that one that already succeeded is skipped and one in progress elsewhere is deferred. */
    IdempotencyGuard idempotencyGuard();

    /**
     * Starts campaigning for the leadership {@code name} at once, on a virtual thread; the listener hears of every gain
     * and loss. {@link LeaderElection#close()} ends the candidacy.
     */
    LeaderElection leaderElection(String name, Duration lease, LeadershipListener listener);

    /** Where the primitives live: the Redis URI with any password masked, or {@code memory:}. */
    String location();

    /** Stops every watchdog and closes the connections. Idempotent. */
    @Override
    void close();
}
