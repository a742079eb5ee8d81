package io.jobstream.testkit.internal;

import io.jobstream.testkit.KafkaClusterConfig;
import io.jobstream.testkit.TestkitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * KRaft brokers as child JVMs: each node is broker and controller at once, the quorum is static
 * ({@code controller.quorum.voters}), every log directory is formatted by Kafka's StorageTool run as
 * a child process with the same cluster id. Ports are fixed at start, so a restarted broker comes back
 * where clients expect it.
 */
public final class ProcessKafkaNodes implements KafkaNodes {

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final KafkaClusterConfig config;
    private final Path logDirectory;
    private final Map<Integer, Node> nodes = new LinkedHashMap<>();
    private Path workDirectory;
    private Path log4jConfig;
    private boolean closed;

    public ProcessKafkaNodes(KafkaClusterConfig config, Path logDirectory) {
        this.config = config;
        this.logDirectory = logDirectory;
    }

    private static final class Node {
        final int id;
        final int port;
        final int controllerPort;
        final int scramPort;
        final Path properties;
        final Path logFile;
        volatile ManagedProcess process;
        volatile boolean expectedRunning;

        Node(int id, int port, int controllerPort, int scramPort, Path properties, Path logFile) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.scramPort = scramPort;
            this.properties = properties;
            this.logFile = logFile;
        }
    }

    @Override
    public synchronized void start() {
        try {
            workDirectory = Files.createTempDirectory("jobstream-" + config.name() + "-");
            Files.createDirectories(logDirectory);
            log4jConfig = workDirectory.resolve("log4j2.properties");
            Files.writeString(
                    log4jConfig, LOG4J_CONFIG + (config.scram() ? AUDIT_LOG4J_CONFIG : ""), StandardCharsets.UTF_8);
            int perNode = config.scram() ? 3 : 2;
            int[] ports = FreePorts.allocate(config.brokers() * perNode);
            for (int i = 0; i < config.brokers(); i++) {
                int id = i + 1;
                nodes.put(
                        id,
                        new Node(
                                id,
                                ports[perNode * i],
                                ports[perNode * i + 1],
                                config.scram() ? ports[perNode * i + 2] : -1,
                                workDirectory.resolve("broker-" + id + ".properties"),
                                logDirectory.resolve("broker-" + id + ".log")));
            }
            String voters = nodes.values().stream()
                    .map(node -> node.id + "@127.0.0.1:" + node.controllerPort)
                    .collect(Collectors.joining(","));
            for (Node node : nodes.values()) {
                writeProperties(node, voters);
            }
        } catch (IOException e) {
            throw new TestkitException(
                    "Cannot prepare the directories of Kafka cluster " + config.name() + ": " + e, e);
        }
        format();
        for (Node node : nodes.values()) {
            launch(node);
        }
    }

    private void writeProperties(Node node, String voters) throws IOException {
        Map<String, String> properties = new LinkedHashMap<>(config.effectiveBrokerProperties());
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", Integer.toString(node.id));
        properties.put("controller.quorum.voters", voters);
        properties.putAll(listenerProperties(config, node.port, node.controllerPort, node.scramPort));
        properties.put("log.dirs", workDirectory.resolve("data-" + node.id).toString());
        StringBuilder text = new StringBuilder("# Written by jobstream-testkit for broker " + node.id + "\n");
        properties.forEach((key, value) ->
                text.append(key).append('=').append(escape(value)).append('\n'));
        Files.writeString(node.properties, text, StandardCharsets.UTF_8);
    }

    /**
     * A node's listeners: {@code PLAINTEXT} (clients and replication) bound to and advertised on the cluster's host,
     * {@code CONTROLLER} and the SCRAM listener on 127.0.0.1.
     */
    static Map<String, String> listenerProperties(
            KafkaClusterConfig config, int port, int controllerPort, int scramPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        String scram = KafkaClusterConfig.SCRAM_LISTENER;
        String loopback = KafkaClusterConfig.DEFAULT_HOST;
        String plaintext = "PLAINTEXT://" + config.host() + ":" + port;
        String scramListener = config.scram() ? "," + scram + "://" + loopback + ":" + scramPort : "";
        properties.put("listeners", plaintext + ",CONTROLLER://" + loopback + ":" + controllerPort + scramListener);
        properties.put("advertised.listeners", plaintext + scramListener);
        properties.put(
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + (config.scram() ? "," + scram + ":" + scram : ""));
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        return properties;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Runs StorageTool for every node in parallel (one JVM each) and waits for all of them. */
    private void format() {
        String clusterId = Uuid.randomUuid().toString();
        List<ManagedProcess> formats = new ArrayList<>();
        for (Node node : nodes.values()) {
            formats.add(ManagedProcess.start(
                    "kafka-storage format (broker " + node.id + " of " + config.name() + ")",
                    BrokerJvm.command(
                            log4jConfig,
                            BrokerJvm.STORAGE_TOOL_MAIN,
                            List.of("format", "-t", clusterId, "-c", node.properties.toString())),
                    node.logFile));
        }
        for (ManagedProcess format : formats) {
            if (!format.awaitExit(config.startupTimeout())) {
                format.kill();
                throw new TestkitException(
                        "Formatting storage timed out after " + config.startupTimeout() + ": " + format.describe());
            }
            if (format.exitCode().orElse(-1) != 0) {
                throw new TestkitException("Formatting storage failed: " + format.describe());
            }
        }
    }

    private void launch(Node node) {
        node.expectedRunning = true;
        node.process = ManagedProcess.start(
                "Kafka broker " + node.id + " of " + config.name(),
                BrokerJvm.command(
                        config.brokerJvmOptions(),
                        log4jConfig,
                        BrokerJvm.KAFKA_MAIN,
                        List.of(node.properties.toString())),
                node.logFile);
    }

    @Override
    public String bootstrapServers() {
        return nodes.values().stream()
                .map(node -> config.host() + ":" + node.port)
                .collect(Collectors.joining(","));
    }

    @Override
    public String scramBootstrapServers() {
        return nodes.values().stream()
                .map(node -> "127.0.0.1:" + node.scramPort)
                .collect(Collectors.joining(","));
    }

    @Override
    public String address(int id) {
        return config.host() + ":" + node(id).port;
    }

    @Override
    public boolean isPaused(int id) {
        ManagedProcess process = node(id).process;
        return process != null && process.isAlive() && process.isPaused();
    }

    @Override
    public List<Integer> brokerIds() {
        return List.copyOf(nodes.keySet());
    }

    @Override
    public void stop(int id) {
        Node node = node(id);
        node.expectedRunning = false;
        ManagedProcess process = node.process;
        if (process != null) {
            process.terminate(STOP_GRACE);
        }
    }

    @Override
    public void kill(int id) {
        Node node = node(id);
        node.expectedRunning = false;
        ManagedProcess process = node.process;
        if (process != null && process.isAlive()) {
            process.kill();
        }
    }

    @Override
    public void pause(int id) {
        running(id).pause();
    }

    @Override
    public void resume(int id) {
        running(id).resume();
    }

    @Override
    public synchronized void restart(int id) {
        Node node = node(id);
        if (node.process != null && node.process.isAlive()) {
            stop(id);
        }
        launch(node);
    }

    @Override
    public boolean isRunning(int id) {
        ManagedProcess process = node(id).process;
        return process != null && process.isAlive();
    }

    @Override
    public void checkAlive() {
        for (Node node : nodes.values()) {
            ManagedProcess process = node.process;
            if (node.expectedRunning && process != null && !process.isAlive()) {
                throw new TestkitException("Kafka broker " + node.id + " died: " + process.describe());
            }
        }
    }

    @Override
    public Path logFile(int id) {
        return node(id).logFile;
    }

    /** The tail of every broker's log, for error messages. */
    public String describeAll() {
        return nodes.values().stream()
                .map(node -> node.process == null ? "broker " + node.id + " never started" : node.process.describe())
                .collect(Collectors.joining("\n"));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node node : nodes.values()) {
            node.expectedRunning = false;
            ManagedProcess process = node.process;
            if (process != null && process.isAlive()) {
                process.kill();
            }
        }
        if (workDirectory != null) {
            deleteRecursively(workDirectory);
        }
    }

    private Node node(int id) {
        Node node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException(
                    "No broker " + id + " in cluster " + config.name() + " (brokers: " + nodes.keySet() + ")");
        }
        return node;
    }

    private ManagedProcess running(int id) {
        ManagedProcess process = node(id).process;
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("Broker " + id + " of cluster " + config.name() + " is not running");
        }
        return process;
    }

    static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Temporary data only: leave what could not be removed to the OS's temp cleaner.
        }
    }

    private static final String LOG4J_CONFIG = """
            # Written by jobstream-testkit: everything to stdout, which goes to the broker's log file.
            status = warn
            appender.out.type = Console
            appender.out.name = OUT
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = OUT
            logger.state.name = state.change.logger
            logger.state.level = WARN
            logger.request.name = kafka.request.logger
            logger.request.level = WARN
            """;

    /** With ACLs: every decision of the authorizer, allowed ones included, with the ACL that decided it. */
    private static final String AUDIT_LOG4J_CONFIG = """
            logger.authorizer.name = kafka.authorizer.logger
            logger.authorizer.level = DEBUG
            """;
}
