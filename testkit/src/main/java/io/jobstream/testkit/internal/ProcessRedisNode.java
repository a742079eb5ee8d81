package io.jobstream.testkit.internal;

import io.jobstream.testkit.RedisFlavor;
import io.jobstream.testkit.RedisServerConfig;
import io.jobstream.testkit.TestkitException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code redis-server} or {@code dragonfly} binary from {@code PATH} as a child process on a free
 * loopback port, without persistence ({@code --save "" --appendonly no}).
 */
public final class ProcessRedisNode implements RedisNode {

    private final RedisServerConfig config;
    private final Path logFile;
    private int port;
    private Path binary;
    private Path workDirectory;
    private volatile ManagedProcess process;
    private volatile boolean expectedRunning;
    private boolean closed;

    public ProcessRedisNode(RedisServerConfig config, Path logDirectory) {
        this.config = config;
        this.logFile = logDirectory.resolve(config.flavor().binary() + ".log");
    }

    /** The first executable called {@code name} on {@code PATH}. */
    public static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isBlank()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void start() {
        binary = findOnPath(config.flavor().binary())
                .orElseThrow(() -> new TestkitException(missingBinaryMessage(config.flavor())));
        port = FreePorts.allocate(1)[0];
        try {
            workDirectory = Files.createTempDirectory("jobstream-" + config.name() + "-");
        } catch (IOException e) {
            throw new TestkitException("Cannot create a temporary directory for " + config.name() + ": " + e, e);
        }
        launch();
    }

    static String missingBinaryMessage(RedisFlavor flavor) {
        if (flavor == RedisFlavor.DRAGONFLY) {
            return "No 'dragonfly' executable on PATH, but Dragonfly was asked for (" + RedisFlavor.ENVIRONMENT_VARIABLE
                    + "=dragonfly). Put the dragonfly binary on PATH, or unset " + RedisFlavor.ENVIRONMENT_VARIABLE
                    + " to use redis-server (Debian/Ubuntu: apt-get install redis-server).";
        }
        return "Neither 'redis-server' nor 'dragonfly' is on PATH. Install Redis: apt-get install redis-server"
                + " (Debian/Ubuntu package redis-server), or put a dragonfly binary on PATH.";
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(
                List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", workDirectory.toString()));
        if (config.flavor() == RedisFlavor.REDIS) {
            command.addAll(List.of("--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""));
        } else {
            command.addAll(List.of("--dbfilename=", "--logtostderr"));
        }
        command.addAll(config.arguments());
        expectedRunning = true;
        process = ManagedProcess.start(config.flavor().binary() + " on port " + port, command, logFile);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void kill() {
        expectedRunning = false;
        ManagedProcess current = process;
        if (current != null && current.isAlive()) {
            current.kill();
        }
    }

    @Override
    public void stop() {
        expectedRunning = false;
        ManagedProcess current = process;
        if (current != null) {
            current.terminate(Duration.ofSeconds(10));
        }
    }

    @Override
    public synchronized void restart() {
        if (isRunning()) {
            stop();
        }
        launch();
    }

    @Override
    public boolean isRunning() {
        ManagedProcess current = process;
        return current != null && current.isAlive();
    }

    @Override
    public void checkAlive() {
        ManagedProcess current = process;
        if (expectedRunning && current != null && !current.isAlive()) {
            throw new TestkitException(config.flavor().binary() + " died: " + current.describe());
        }
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        kill();
        if (workDirectory != null) {
            ProcessKafkaNodes.deleteRecursively(workDirectory);
        }
    }
}
