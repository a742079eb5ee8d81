package io.jobstream.testkit.internal;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.jobstream.testkit.KafkaClusterConfig;
import io.jobstream.testkit.TestkitException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * KRaft brokers as {@code apache/kafka} containers on one Docker network. Each broker's client port is
 * published on a host port chosen up front, so a restarted container keeps the address it advertises.
 * Faults are Docker's: {@code docker kill}, {@code docker pause}/{@code unpause}, {@code docker stop}/{@code start}.
 */
public final class ContainerKafkaNodes implements KafkaNodes {

    /** The image used unless the system property {@value #IMAGE_PROPERTY} names another. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.1.0";

    public static final String IMAGE_PROPERTY = "jobstream.testkit.kafka-image";

    private static final int CLIENT_PORT = 9092;

    private final KafkaClusterConfig config;
    private final Path logDirectory;
    private final Map<Integer, KafkaContainer> containers = new LinkedHashMap<>();
    private final Map<Integer, Integer> hostPorts = new LinkedHashMap<>();
    private final Map<Integer, Boolean> expectedRunning = new LinkedHashMap<>();
    private final Set<Integer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Network network;
    private boolean closed;

    public ContainerKafkaNodes(KafkaClusterConfig config, Path logDirectory) {
        this.config = config;
        this.logDirectory = logDirectory;
    }

    @Override
    public synchronized void start() {
        network = Network.newNetwork();
        String clusterId = Uuid.randomUuid().toString();
        String voters = java.util.stream.IntStream.rangeClosed(1, config.brokers())
                .mapToObj(id -> id + "@broker-" + id + ":9094")
                .collect(Collectors.joining(","));
        int[] ports = FreePorts.allocate(config.brokers());
        DockerImageName image = DockerImageName.parse(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
                .asCompatibleSubstituteFor("apache/kafka");
        for (int id = 1; id <= config.brokers(); id++) {
            int hostPort = ports[id - 1];
            KafkaContainer container = new KafkaContainer(image)
                    .withNetwork(network)
                    .withNetworkAliases("broker-" + id)
                    .withEnv("CLUSTER_ID", clusterId)
                    .withEnv("KAFKA_NODE_ID", Integer.toString(id))
                    .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", voters)
                    .withEnv(environment(config.effectiveBrokerProperties()))
                    .withCreateContainerCmdModifier(command -> command.getHostConfig()
                            .withPortBindings(
                                    new PortBinding(Ports.Binding.bindPort(hostPort), ExposedPort.tcp(CLIENT_PORT))))
                    .withLogConsumer(new ContainerOutput(logFile(id)))
                    .withStartupTimeout(config.startupTimeout());
            containers.put(id, container);
            hostPorts.put(id, hostPort);
            expectedRunning.put(id, true);
        }
        // The quorum needs a majority of voters up before any broker reports ready: start them together.
        List<Thread> starters = new ArrayList<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        containers.forEach((id, container) -> starters.add(
                Thread.ofPlatform().name("jobstream-testkit-start-broker-" + id).start(() -> {
                    try {
                        container.start();
                    } catch (RuntimeException e) {
                        failures.add(new TestkitException(
                                "Kafka broker container " + id + " did not start; log: " + logFile(id), e));
                    }
                })));
        for (Thread starter : starters) {
            try {
                starter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestkitException("Interrupted while starting Kafka containers", e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    /**
     * The {@code apache/kafka} image reads {@code KAFKA_*} variables: {@code .} becomes {@code _},
     * {@code _} becomes {@code __}, {@code -} becomes {@code ___}.
     */
    static Map<String, String> environment(Map<String, String> brokerProperties) {
        Map<String, String> environment = new LinkedHashMap<>();
        brokerProperties.forEach((key, value) -> environment.put(
                "KAFKA_"
                        + key.replace("_", "__")
                                .replace("-", "___")
                                .replace(".", "_")
                                .toUpperCase(Locale.ROOT),
                value));
        return environment;
    }

    @Override
    public String scramBootstrapServers() {
        throw new UnsupportedOperationException("the container backend has no SCRAM listener");
    }

    @Override
    public String bootstrapServers() {
        return containers.keySet().stream().map(this::address).collect(Collectors.joining(","));
    }

    @Override
    public String address(int id) {
        return container(id).getHost() + ":" + hostPorts.get(id);
    }

    @Override
    public boolean isPaused(int id) {
        return paused.contains(id);
    }

    @Override
    public List<Integer> brokerIds() {
        return List.copyOf(containers.keySet());
    }

    @Override
    public synchronized void stop(int id) {
        ContainerState container = container(id);
        expectedRunning.put(id, false);
        container
                .getDockerClient()
                .stopContainerCmd(container.getContainerId())
                .withTimeout(30)
                .exec();
    }

    @Override
    public synchronized void kill(int id) {
        ContainerState container = container(id);
        expectedRunning.put(id, false);
        paused.remove(id);
        container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void pause(int id) {
        ContainerState container = container(id);
        container
                .getDockerClient()
                .pauseContainerCmd(container.getContainerId())
                .exec();
    }

    @Override
    public void resume(int id) {
        ContainerState container = container(id);
        container
                .getDockerClient()
                .unpauseContainerCmd(container.getContainerId())
                .exec();
    }

    @Override
    public synchronized void restart(int id) {
        KafkaContainer container = container(id);
        if (isRunning(id)) {
            stop(id);
        }
        container
                .getDockerClient()
                .startContainerCmd(container.getContainerId())
                .exec();
        container.followOutput(new ContainerOutput(logFile(id)));
        expectedRunning.put(id, true);
    }

    @Override
    public boolean isRunning(int id) {
        ContainerState container = container(id);
        Boolean running = container
                .getDockerClient()
                .inspectContainerCmd(container.getContainerId())
                .exec()
                .getState()
                .getRunning();
        return Boolean.TRUE.equals(running);
    }

    @Override
    public synchronized void checkAlive() {
        for (Map.Entry<Integer, Boolean> entry : expectedRunning.entrySet()) {
            if (entry.getValue() && !isRunning(entry.getKey())) {
                throw new TestkitException("Kafka broker container " + entry.getKey() + " died; log: "
                        + logFile(entry.getKey()) + "\n---- last lines of the log ----\n"
                        + ManagedProcess.tail(logFile(entry.getKey()), 40));
            }
        }
    }

    @Override
    public Path logFile(int id) {
        return logDirectory.resolve("broker-" + id + ".log");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (KafkaContainer container : containers.values()) {
            try {
                container.stop();
            } catch (RuntimeException e) {
                // Testcontainers' reaper (Ryuk) removes what is left when the JVM ends.
            }
        }
        if (network != null) {
            network.close();
        }
    }

    private KafkaContainer container(int id) {
        KafkaContainer container = containers.get(id);
        if (container == null) {
            throw new IllegalArgumentException(
                    "No broker " + id + " in cluster " + config.name() + " (brokers: " + containers.keySet() + ")");
        }
        return container;
    }
}
