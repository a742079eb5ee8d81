package io.jobstream.testkit.internal;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.jobstream.testkit.RedisFlavor;
import io.jobstream.testkit.RedisServerConfig;
import io.jobstream.testkit.TestkitException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Dragonfly (or Redis) in a container, its port published on a host port chosen up front so a restart
 * keeps the address. Faults are Docker's: {@code docker kill}, {@code docker stop}/{@code start}.
 */
public final class ContainerRedisNode implements RedisNode {

    public static final String DRAGONFLY_IMAGE = "docker.dragonflydb.io/dragonflydb/dragonfly:v1.30.0";
    public static final String REDIS_IMAGE = "redis:7.4-alpine";

    /** A system property naming another image. */
    public static final String IMAGE_PROPERTY = "jobstream.testkit.redis-image";

    private static final int REDIS_PORT = 6379;

    private final RedisServerConfig config;
    private final Path logFile;
    private GenericContainer<?> container;
    private int port;
    private volatile boolean expectedRunning;
    private boolean closed;

    public ContainerRedisNode(RedisServerConfig config, Path logDirectory) {
        this.config = config;
        this.logFile = logDirectory.resolve(config.flavor().binary() + ".log");
    }

    @Override
    public synchronized void start() {
        port = FreePorts.allocate(1)[0];
        String image = System.getProperty(
                IMAGE_PROPERTY, config.flavor() == RedisFlavor.DRAGONFLY ? DRAGONFLY_IMAGE : REDIS_IMAGE);
        List<String> command = new ArrayList<>();
        if (config.flavor() == RedisFlavor.DRAGONFLY) {
            command.addAll(List.of("dragonfly", "--logtostderr", "--dbfilename="));
        } else {
            command.addAll(List.of("redis-server", "--save", "", "--appendonly", "no"));
        }
        command.addAll(config.arguments());
        int hostPort = port;
        container = new GenericContainer<>(DockerImageName.parse(image))
                .withExposedPorts(REDIS_PORT)
                .withCommand(command.toArray(String[]::new))
                .withCreateContainerCmdModifier(create -> create.getHostConfig()
                        .withPortBindings(
                                new PortBinding(Ports.Binding.bindPort(hostPort), ExposedPort.tcp(REDIS_PORT))))
                .withLogConsumer(new ContainerOutput(logFile))
                .withStartupTimeout(config.startupTimeout());
        expectedRunning = true;
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new TestkitException("Container " + image + " did not start; log: " + logFile, e);
        }
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void kill() {
        expectedRunning = false;
        container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized void stop() {
        expectedRunning = false;
        container
                .getDockerClient()
                .stopContainerCmd(container.getContainerId())
                .withTimeout(10)
                .exec();
    }

    @Override
    public synchronized void restart() {
        if (isRunning()) {
            stop();
        }
        container
                .getDockerClient()
                .startContainerCmd(container.getContainerId())
                .exec();
        container.followOutput(new ContainerOutput(logFile));
        expectedRunning = true;
    }

    @Override
    public boolean isRunning() {
        Boolean running = container
                .getDockerClient()
                .inspectContainerCmd(container.getContainerId())
                .exec()
                .getState()
                .getRunning();
        return Boolean.TRUE.equals(running);
    }

    @Override
    public void checkAlive() {
        if (expectedRunning && !isRunning()) {
            throw new TestkitException("Redis container died; log: " + logFile + "\n---- last lines of the log ----\n"
                    + ManagedProcess.tail(logFile, 40));
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
        if (container != null) {
            try {
                container.stop();
            } catch (RuntimeException e) {
                // Testcontainers' reaper (Ryuk) removes what is left when the JVM ends.
            }
        }
    }
}
