package io.jobstream.testkit;

import io.jobstream.testkit.internal.BackendSelector;
import io.jobstream.testkit.internal.ContainerKafkaNodes;
import io.jobstream.testkit.internal.KafkaNodes;
import io.jobstream.testkit.internal.ProcessKafkaNodes;
import io.jobstream.testkit.internal.TestkitLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.SaslConfigs;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Kafka cluster for tests: 1 to 9 KRaft nodes (each broker and controller at once) on random
 * free ports of 127.0.0.1 (or of {@link Builder#host(String)}), as child JVMs ({@link Backend#PROCESS}, the default) or containers.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.builder().brokers(3).build().start()) {
 *     kafka.createTopic("jobs", 3, 3);
 *     kafka.kill(2);      // SIGKILL
 *     kafka.restart(2);   // same data dir, same ports; returns once it is registered again
 * }
 * }</pre>
 *
 * <p>Each broker's output goes to {@code target/testkit-logs/<cluster>/broker-<id>.log} under the test
 * JVM's working directory (the module folder under Maven); failures name that file and quote its end.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and ends every broker; a JVM shutdown hook (and, for
 * processes, a watchdog in each broker JVM) ends them too if a test JVM exits without closing.
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterConfig config;
    private final Path logDirectory;
    private final KafkaNodes nodes;
    private final Object adminLock = new Object();
    private volatile Admin admin;
    private volatile boolean started;
    private volatile boolean closed;

    private KafkaCluster(KafkaClusterConfig config) {
        this.config = config;
        this.logDirectory = TestkitLogs.newDirectory(config.logRoot(), config.name());
        this.nodes = switch (config.backend()) {
            case PROCESS -> new ProcessKafkaNodes(config, logDirectory);
            case CONTAINERS -> new ContainerKafkaNodes(config, logDirectory);
        };
    }

    /** A cluster of {@code brokers} nodes with the test defaults, already started. */
    public static KafkaCluster start(int brokers) {
        return builder().brokers(brokers).build().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A cluster for {@code config}, not yet started. */
    public static KafkaCluster create(KafkaClusterConfig config) {
        return new KafkaCluster(Objects.requireNonNull(config, "config"));
    }

    /**
     * Launches every broker in parallel and waits until all are registered (bounded by the startup timeout).
     *
     * @return this cluster
     * @throws TestkitException when a broker dies or the cluster is not ready in time; the message names the
     *     log files and quotes their last lines. The cluster is closed in that case.
     */
    public synchronized KafkaCluster start() {
        if (closed) {
            throw new IllegalStateException("Kafka cluster " + logDirectory.getFileName() + " is closed");
        }
        if (started) {
            return this;
        }
        started = true;
        try {
            nodes.start();
            awaitBrokers(Set.copyOf(nodes.brokerIds()), "to start");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public KafkaClusterConfig config() {
        return config;
    }

    public Backend backend() {
        return config.backend();
    }

    /**
     * {@code host:port} of the brokers that are running and not paused, comma-separated (of every broker
     * when none is). Clients made while a broker is down thus never wait on it to bootstrap.
     */
    public String bootstrapServers() {
        requireStarted();
        String available = nodes.brokerIds().stream()
                .filter(id -> nodes.isRunning(id) && !nodes.isPaused(id))
                .map(nodes::address)
                .collect(Collectors.joining(","));
        return available.isEmpty() ? nodes.bootstrapServers() : available;
    }

    /** {@code host:port} of one broker, whatever its state; it keeps this address across restarts. */
    public String address(int brokerId) {
        requireStarted();
        return nodes.address(brokerId);
    }

    /** The brokers' node ids: {@code 1..n}. */
    public List<Integer> brokerIds() {
        return nodes.brokerIds();
    }

    /**
     * {@code host:port} of every broker's SCRAM listener, comma-separated.
     *
     * @throws IllegalStateException when the cluster was not built with {@link Builder#scram()}
     */
    public String scramBootstrapServers() {
        requireStarted();
        if (!config.scram()) {
            throw new IllegalStateException(
                    "Kafka cluster " + config.name() + " has no SCRAM listener: build it with scram()");
        }
        return nodes.scramBootstrapServers();
    }

    /**
     * Creates (or replaces) the SCRAM-SHA-512 credentials of {@code user}, and waits until every broker knows them.
     *
     * @throws TestkitException when the brokers refuse or do not answer
     */
    public void createScramUser(String user, String password) {
        try {
            admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Awaitility.await("SCRAM credentials of " + user)
                    .atMost(config.startupTimeout())
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> admin().describeUserScramCredentials(List.of(user))
                            .all()
                            .get(10, TimeUnit.SECONDS)
                            .containsKey(user));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Cannot create the SCRAM user " + user + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while creating the SCRAM user " + user, e);
        }
    }

    /** Client settings to reach this cluster's SCRAM listener as {@code user}; a fresh mutable map each call. */
    public Map<String, Object> scramClientProperties(String user, String password) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, scramBootstrapServers());
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, KafkaClusterConfig.SCRAM_LISTENER);
        properties.put(SaslConfigs.SASL_MECHANISM, KafkaClusterConfig.SCRAM_MECHANISM);
        properties.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return properties;
    }

    /** Client settings to reach this cluster ({@code bootstrap.servers}); a fresh mutable map each call. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /** An {@link Admin} client shared by every caller; owned and closed by this cluster (do not close it). */
    public Admin admin() {
        Admin current = admin;
        if (current != null) {
            return current;
        }
        synchronized (adminLock) {
            requireStarted();
            if (admin == null) {
                Map<String, Object> properties = new HashMap<>();
                properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, nodes.bootstrapServers());
                properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "jobstream-testkit-" + logDirectory.getFileName());
                properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
                properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
                properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
                properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
                properties.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000);
                admin = Admin.create(properties);
            }
            return admin;
        }
    }

    /** Creates a topic and waits until every partition has a leader. */
    public void createTopic(String name, int partitions, int replicationFactor) {
        createTopic(name, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates a topic with topic-level settings (e.g. {@code min.insync.replicas}) and waits until every
     * partition has a leader.
     *
     * @throws TestkitException when the topic cannot be created (it exists, too few brokers...) or gets no leaders
     */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> topicConfig) {
        NewTopic topic = new NewTopic(name, partitions, (short) replicationFactor).configs(topicConfig);
        try {
            admin().createTopics(List.of(topic))
                    .all()
                    .get(config.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TestkitException("Cannot create topic " + name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while creating topic " + name, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Creating topic " + name + " timed out after " + config.startupTimeout(), e);
        }
        try {
            Awaitility.await("leaders for every partition of " + name)
                    .atMost(config.startupTimeout())
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    // leaders named by the controller, and serving: ListOffsets is answered only by a serving leader
                    .until(() -> describe(name).partitions().stream().allMatch(p -> p.leader() != null)
                            && endOffsets(name).size() == partitions);
        } catch (ConditionTimeoutException e) {
            throw new TestkitException(
                    "Topic " + name + " has partitions without a leader after " + config.startupTimeout()
                            + "; broker logs in " + logDirectory.toAbsolutePath(),
                    e);
        }
    }

    /** SIGTERM to one broker (controlled shutdown), then waits for it to exit. */
    public void stop(int brokerId) {
        requireStarted();
        nodes.stop(brokerId);
    }

    /** SIGKILL to one broker (no shutdown at all), then waits for it to be gone. */
    public void kill(int brokerId) {
        requireStarted();
        nodes.kill(brokerId);
    }

    /** SIGSTOP to one broker: it holds its sockets but answers nothing, like a hung machine. */
    public void pause(int brokerId) {
        requireStarted();
        nodes.pause(brokerId);
    }

    /** SIGCONT to a paused broker. */
    public void resume(int brokerId) {
        requireStarted();
        nodes.resume(brokerId);
    }

    /**
     * Starts a stopped or killed broker again (a running one is stopped first) on the same data directory
     * and ports, and waits until the cluster lists it again.
     */
    public void restart(int brokerId) {
        requireStarted();
        nodes.restart(brokerId);
        awaitBrokers(Set.of(brokerId), "to restart");
    }

    /** Whether the broker's process (or container) is alive; a paused one is alive. */
    public boolean isRunning(int brokerId) {
        return nodes.isRunning(brokerId);
    }

    /**
     * The ids of the brokers the cluster currently lists as alive (fenced or dead ones are absent). The
     * admin client retries on other brokers when one does not answer, within its 15 s API timeout.
     */
    public Set<Integer> liveBrokerIds() {
        try {
            Collection<Node> live = admin().describeCluster().nodes().get(30, TimeUnit.SECONDS);
            return live.stream().map(Node::id).collect(Collectors.toUnmodifiableSet());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Cannot describe cluster " + logDirectory.getFileName() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while describing the cluster", e);
        }
    }

    /** Leader and in-sync replicas of each partition of {@code topic}, by partition number. */
    public Map<Integer, TopicPartitionInfo> partitions(String topic) {
        Map<Integer, TopicPartitionInfo> partitions = new LinkedHashMap<>();
        describe(topic).partitions().forEach(partition -> partitions.put(partition.partition(), partition));
        return partitions;
    }

    /** The offsets consumer group {@code group} has committed, by partition (partitions without a commit left out). */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committed = new HashMap<>();
            offsets.forEach((tp, offset) -> {
                if (offset != null) {
                    committed.put(tp, offset.offset());
                }
            });
            return committed;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Cannot read the committed offsets of group " + group + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while reading committed offsets", e);
        }
    }

    /** The log-end offset of each partition of {@code topic}. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions(topic).keySet().forEach(p -> request.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        try {
            return admin().listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Cannot read the end offsets of " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while reading end offsets", e);
        }
    }

    /** This cluster's log folder: {@code broker-<id>.log} for each broker. */
    public Path logDirectory() {
        return logDirectory;
    }

    public Path logFile(int brokerId) {
        return nodes.logFile(brokerId);
    }

    /** Closes the shared admin client and ends every broker (SIGKILL: test data is thrown away). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (adminLock) {
            Admin current = admin;
            if (current != null) {
                current.close(Duration.ofSeconds(2));
            }
        }
        nodes.close();
    }

    private TopicDescription describe(String topic) {
        try {
            return admin().describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new TestkitException("Cannot describe topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while describing topic " + topic, e);
        }
    }

    /**
     * Whether {@code e} is {@link #liveBrokerIds()} timing out: a broker still starting on a loaded machine (its
     * admin call waits for a node 15 s), to poll again until the startup timeout rather than fail the start.
     */
    private static boolean isDescribeTimeout(Throwable e) {
        Throwable cause = e.getCause();
        return cause instanceof java.util.concurrent.TimeoutException
                || (cause instanceof ExecutionException
                        && cause.getCause() instanceof org.apache.kafka.common.errors.TimeoutException);
    }

    private void awaitBrokers(Set<Integer> expected, String what) {
        try {
            Awaitility.await("brokers " + expected + " of " + logDirectory.getFileName() + " " + what)
                    .atMost(config.startupTimeout())
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsMatching(e -> !(e instanceof TestkitException) || isDescribeTimeout(e))
                    .until(() -> {
                        nodes.checkAlive(); // a dead broker process fails the wait at once
                        try {
                            return liveBrokerIds().containsAll(expected);
                        } catch (TestkitException notYet) {
                            if (Thread.currentThread().isInterrupted()) {
                                throw notYet;
                            }
                            return false; // a slow start (a loaded machine) answers later: wait up to the timeout
                        }
                    });
        } catch (ConditionTimeoutException e) {
            StringBuilder message = new StringBuilder("Kafka brokers " + expected + " did not become ready " + what
                    + " within " + config.startupTimeout() + ". Logs in " + logDirectory.toAbsolutePath());
            for (int id : expected) {
                message.append("\n---- last lines of ")
                        .append(nodes.logFile(id).toAbsolutePath())
                        .append(" ----\n")
                        .append(io.jobstream.testkit.internal.ManagedProcess.tail(nodes.logFile(id), 30));
            }
            throw new TestkitException(message.toString(), e);
        }
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("Kafka cluster is not started: call start() first");
        }
        if (closed) {
            throw new IllegalStateException("Kafka cluster " + logDirectory.getFileName() + " is closed");
        }
    }

    /** Builds a {@link KafkaCluster}; every setting has a default. Not thread-safe. */
    public static final class Builder {
        private String name = "kafka";
        private int brokers = 1;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Backend backend;
        private Duration startupTimeout = KafkaClusterConfig.DEFAULT_STARTUP_TIMEOUT;
        private Path logRoot = TestkitLogs.defaultRoot();
        private List<String> brokerJvmOptions = KafkaClusterConfig.TEST_JVM_OPTIONS;
        private boolean scram;
        private String host = KafkaClusterConfig.DEFAULT_HOST;

        private Builder() {}

        /**
         * The IPv4 address the brokers' {@code PLAINTEXT} listener binds to and advertises, instead of {@value
         * KafkaClusterConfig#DEFAULT_HOST}: {@link #bootstrapServers()} and {@link #address(int)} then name it, and
         * the brokers replicate through it. It must be an address of this machine when the cluster starts — e.g. the
         * host end of a veth pair, so that a process in a network namespace ({@link NetworkNamespace}) reaches the
         * brokers. The controller and SCRAM listeners stay on {@value KafkaClusterConfig#DEFAULT_HOST}. The process
         * backend only.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Each broker also listens for {@code SASL_PLAINTEXT} with SCRAM-SHA-512 ({@link #scramBootstrapServers()}),
         * and the cluster authorizes every request on it by ACLs (see {@link KafkaClusterConfig#scramBrokerProperties()}).
         * The process backend only.
         */
        public Builder scram() {
            this.scram = true;
            return this;
        }

        /**
         * The broker JVMs' options (default {@link KafkaClusterConfig#TEST_JVM_OPTIONS}); {@link
         * KafkaClusterConfig#PRODUCTION_JVM_OPTIONS} for measurements. The process backend only: containers keep
         * their image's settings.
         */
        public Builder brokerJvmOptions(List<String> brokerJvmOptions) {
            this.brokerJvmOptions = Objects.requireNonNull(brokerJvmOptions, "brokerJvmOptions");
            return this;
        }

        /** A label for the log folder (default {@code kafka}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Number of nodes, 1 (default) to 9. */
        public Builder brokers(int brokers) {
            this.brokers = brokers;
            return this;
        }

        /** A broker setting on top of {@link KafkaClusterConfig#testDefaults(int)}. */
        public Builder brokerProperty(String key, String value) {
            this.brokerProperties.put(key, value);
            return this;
        }

        /** Forces a backend; without this call the choice is {@link Backend#auto()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** The folder for log folders (default {@code target/testkit-logs} in the working directory). */
        public Builder logRoot(Path logRoot) {
            this.logRoot = logRoot;
            return this;
        }

        /**
         * Validates the settings and resolves the backend.
         *
         * @throws IllegalArgumentException naming the setting that is invalid
         * @throws TestkitException when {@link Backend#CONTAINERS} is forced and no Docker engine is reachable
         */
        public KafkaCluster build() {
            Backend chosen = BackendSelector.fromEnvironment().select(backend);
            return new KafkaCluster(new KafkaClusterConfig(
                    name, brokers, brokerProperties, chosen, startupTimeout, logRoot, brokerJvmOptions, scram, host));
        }
    }
}
