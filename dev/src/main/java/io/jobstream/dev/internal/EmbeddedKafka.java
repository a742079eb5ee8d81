package io.jobstream.dev.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, for {@code jobstream dev}.
 *
 * <p>Its data lives in {@code <dataDir>/kafka} and survives restarts: the storage is formatted once (Kafka's own
 * StorageTool, run in-process) and reused. It listens on 127.0.0.1 only. {@link #close()} shuts the broker down
 * cleanly and is idempotent. Not for production: one replica, no security.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, int port, int controllerPort) {
        this.logDir = dataDir.toAbsolutePath().resolve("kafka");
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats {@code dataDir/kafka} when it is new, starts the broker and waits (up to {@code timeout}) until it
     * answers an admin request.
     *
     * @param port the client port (9092 by default in {@code jobstream dev}); 0 picks a free one
     * @param controllerPort the KRaft controller port; 0 picks a free one
     * @throws IllegalStateException naming the port when it is taken, or the log directory when it cannot be
     *     formatted, or when the broker does not answer in time
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort, Duration timeout) {
        int clientPort = port == 0 ? freePort() : requireFree(port, "--kafka-port");
        int quorumPort = controllerPort == 0 ? freePort() : requireFree(controllerPort, "--controller-port");
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, clientPort, quorumPort);
        try {
            kafka.startServer(timeout);
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's data directory. */
    public Path logDir() {
        return logDir;
    }

    private void startServer(Duration timeout) {
        Map<String, String> properties = brokerProperties();
        formatWhenNew(properties);
        server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        server.startup();
        awaitReady(timeout);
    }

    Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        return p;
    }

    private void formatWhenNew(Map<String, String> properties) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            Path config = Files.createTempFile("jobstream-dev-broker", ".properties");
            try {
                Properties props = new Properties();
                props.putAll(properties);
                try (OutputStream out = Files.newOutputStream(config)) {
                    props.store(out, "jobstream dev broker");
                }
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                int exit;
                try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                    exit = StorageTool.execute(
                            new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                            print);
                }
                if (exit != 0) {
                    throw new IllegalStateException("could not format the Kafka data directory " + logDir + ": "
                            + output.toString(StandardCharsets.UTF_8).strip());
                }
            } finally {
                Files.deleteIfExists(config);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare the Kafka data directory " + logDir + ": " + e, e);
        }
    }

    private void awaitReady(Duration timeout) {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(4, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the embedded Kafka broker on " + bootstrapServers()
                                + " did not become ready within " + timeout + ": " + e.getMessage());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private static int requireFree(int port, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("port " + port
                    + " is in use (is another broker or jobstream dev running?); pick another with " + option);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port on 127.0.0.1: " + e, e);
        }
    }
}
