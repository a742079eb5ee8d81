package io.jobstream.testkit;

import io.jobstream.testkit.internal.BackendSelector;
import io.jobstream.testkit.internal.ContainerRedisNode;
import io.jobstream.testkit.internal.ManagedProcess;
import io.jobstream.testkit.internal.ProcessRedisNode;
import io.jobstream.testkit.internal.RedisNode;
import io.jobstream.testkit.internal.RespPing;
import io.jobstream.testkit.internal.TestkitLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Redis-protocol server for tests: {@code redis-server} (or {@code dragonfly}) as a child process
 * on a free port of 127.0.0.1 ({@link Backend#PROCESS}, the default), or a container. Nothing is
 * persisted: after {@link #kill()} and {@link #restart()} the server is empty.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.startDefault()) {
 *     RedisClient client = RedisClient.create(redis.uri());
 *     redis.kill();      // SIGKILL: clients see failures
 *     redis.restart();   // same port; returns once it answers PING
 * }
 * }</pre>
 *
 * <p>The server's output goes to {@code target/testkit-logs/<name>/}. Thread-safe; {@link #close()} is
 * idempotent and a JVM shutdown hook ends the process if a test JVM exits without closing it.
 */
public final class RedisServer implements AutoCloseable {

    private final RedisServerConfig config;
    private final Path logDirectory;
    private final RedisNode node;
    private volatile boolean started;
    private volatile boolean closed;

    private RedisServer(RedisServerConfig config) {
        this.config = config;
        this.logDirectory = TestkitLogs.newDirectory(config.logRoot(), config.name());
        this.node = switch (config.backend()) {
            case PROCESS -> new ProcessRedisNode(config, logDirectory);
            case CONTAINERS -> new ContainerRedisNode(config, logDirectory);
        };
    }

    /** A server with the defaults, already started. */
    public static RedisServer startDefault() {
        return builder().build().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A server for {@code config}, not yet started. */
    public static RedisServer create(RedisServerConfig config) {
        return new RedisServer(Objects.requireNonNull(config, "config"));
    }

    /**
     * Launches the server and waits until it answers {@code PING}.
     *
     * @return this server
     * @throws TestkitException when no binary is installed (the message names the package to install), the
     *     server dies, or it does not answer in time; the server is closed in that case
     */
    public synchronized RedisServer start() {
        if (closed) {
            throw new IllegalStateException("Redis server " + logDirectory.getFileName() + " is closed");
        }
        if (started) {
            return this;
        }
        started = true;
        try {
            node.start();
            awaitPing("to start");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public RedisServerConfig config() {
        return config;
    }

    public RedisFlavor flavor() {
        return config.flavor();
    }

    public Backend backend() {
        return config.backend();
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://" + host() + ":" + port();
    }

    public String host() {
        requireStarted();
        return node.host();
    }

    public int port() {
        requireStarted();
        return node.port();
    }

    /** SIGKILL: the server is gone at once, with everything it held. */
    public void kill() {
        requireStarted();
        node.kill();
    }

    /** SIGTERM, then waits for the server to exit. */
    public void stop() {
        requireStarted();
        node.stop();
    }

    /** Starts the server again on the same port (a running one is stopped first); returns once it answers PING. */
    public void restart() {
        requireStarted();
        node.restart();
        awaitPing("to restart");
    }

    /** Whether the server process (or container) is alive. */
    public boolean isRunning() {
        return started && !closed && node.isRunning();
    }

    /** This server's log folder. */
    public Path logDirectory() {
        return logDirectory;
    }

    public Path logFile() {
        return node.logFile();
    }

    /** Ends the server; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.close();
    }

    private void awaitPing(String what) {
        try {
            Awaitility.await(config.flavor().binary() + " " + what)
                    .atMost(config.startupTimeout())
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        node.checkAlive();
                        return RespPing.ping(node.host(), node.port());
                    });
        } catch (ConditionTimeoutException e) {
            throw new TestkitException(
                    config.flavor().binary() + " did not answer PING on port " + node.port() + " "
                            + what + " within " + config.startupTimeout() + "; log: "
                            + node.logFile().toAbsolutePath()
                            + "\n---- last lines of the log ----\n" + ManagedProcess.tail(node.logFile(), 40),
                    e);
        }
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("Redis server is not started: call start() first");
        }
        if (closed) {
            throw new IllegalStateException("Redis server " + logDirectory.getFileName() + " is closed");
        }
    }

    /** Builds a {@link RedisServer}; every setting has a default. Not thread-safe. */
    public static final class Builder {
        private String name = "redis";
        private RedisFlavor flavor;
        private Backend backend;
        private final List<String> arguments = new ArrayList<>();
        private Duration startupTimeout = RedisServerConfig.DEFAULT_STARTUP_TIMEOUT;
        private Path logRoot = TestkitLogs.defaultRoot();

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Forces a flavor. Without this call: {@link RedisFlavor#ENVIRONMENT_VARIABLE} when set; else for
         * processes {@code redis-server} when on PATH, {@code dragonfly} when only that is; Dragonfly for containers.
         */
        public Builder flavor(RedisFlavor flavor) {
            this.flavor = Objects.requireNonNull(flavor, "flavor");
            return this;
        }

        /** Forces a backend; without this call the choice is {@link Backend#auto()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** Extra server arguments, e.g. {@code argument("--maxmemory", "64mb")}. */
        public Builder argument(String... arguments) {
            this.arguments.addAll(Arrays.asList(arguments));
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        public Builder logRoot(Path logRoot) {
            this.logRoot = logRoot;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is invalid
         * @throws TestkitException when {@link Backend#CONTAINERS} is forced and no Docker engine is reachable
         */
        public RedisServer build() {
            Backend chosen = BackendSelector.fromEnvironment().select(backend);
            return new RedisServer(new RedisServerConfig(
                    name, flavor == null ? defaultFlavor(chosen) : flavor, chosen, arguments, startupTimeout, logRoot));
        }

        private static RedisFlavor defaultFlavor(Backend backend) {
            String requested = System.getenv(RedisFlavor.ENVIRONMENT_VARIABLE);
            if (requested != null && !requested.isBlank()) {
                return RedisFlavor.parse(requested);
            }
            if (backend == Backend.CONTAINERS) {
                return RedisFlavor.DRAGONFLY;
            }
            if (ProcessRedisNode.findOnPath(RedisFlavor.REDIS.binary()).isEmpty()
                    && ProcessRedisNode.findOnPath(RedisFlavor.DRAGONFLY.binary())
                            .isPresent()) {
                return RedisFlavor.DRAGONFLY;
            }
            return RedisFlavor.REDIS;
        }
    }
}
