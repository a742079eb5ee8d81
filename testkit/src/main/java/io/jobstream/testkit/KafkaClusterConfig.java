package io.jobstream.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a {@link KafkaCluster} looks like; built by {@link KafkaCluster.Builder}, validated here.
 *
 * @param name a short label used for log directories and container names ({@code [a-z0-9-]+})
 * @param brokers how many combined broker+controller nodes (1 to 9)
 * @param brokerProperties broker settings on top of {@link #testDefaults(int)} (they win over the defaults)
 * @param backend processes or containers
 * @param startupTimeout how long to wait for all brokers (and any single restart) to be ready
 * @param logRoot the folder under which this cluster's log folder is created
 * @param brokerJvmOptions the broker JVMs' options ({@link #TEST_JVM_OPTIONS} unless given; process backend only)
 * @param scram whether each broker also has a {@code SASL_PLAINTEXT} listener with {@code SCRAM-SHA-512} and the
 *     cluster authorizes with ACLs ({@link #scramBrokerProperties()}); process backend only
 * @param host the IPv4 address the brokers' {@code PLAINTEXT} listener (the clients' and the brokers' own) binds to
 *     and advertises: {@link #DEFAULT_HOST} unless given, else an address of this machine that must exist when the
 *     cluster starts, e.g. the host end of a veth pair that a network namespace reaches the brokers through. The
 *     controller and SCRAM listeners stay on {@link #DEFAULT_HOST}. Process backend only
 */
public record KafkaClusterConfig(
        String name,
        int brokers,
        Map<String, String> brokerProperties,
        Backend backend,
        Duration startupTimeout,
        Path logRoot,
        List<String> brokerJvmOptions,
        boolean scram,
        String host) {

    /** Where the brokers listen unless told otherwise: the loopback address. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Small heaps and a quick start (serial GC, C1 only): test brokers hold test data only. */
    public static final List<String> TEST_JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    /**
     * What Kafka's own {@code kafka-server-start.sh} gives a broker: a 1 GiB heap, G1 aiming at 20 ms pauses, and both
     * JIT compilers. For measurements: the test options' C1-only code and serial collector made the broker the
     * slowest part of a latency run's tail.
     */
    public static final List<String> PRODUCTION_JVM_OPTIONS = List.of(
            "-Xms1g",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent");

    /** Settings the testkit owns (listeners, roles, ids, quorum, directories): they cannot be overridden. */
    public static final Set<String> RESERVED_BROKER_PROPERTIES = Set.of(
            "process.roles",
            "node.id",
            "broker.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "controller.listener.names",
            "inter.broker.listener.name",
            "log.dirs",
            "log.dir");

    /** The default {@code startupTimeout}. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    public KafkaClusterConfig {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match [a-z0-9][a-z0-9-]{0,39} (was '" + name + "')");
        }
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("brokers must be between 1 and 9 (was " + brokers + ")");
        }
        Objects.requireNonNull(brokerProperties, "brokerProperties");
        for (Map.Entry<String, String> property : brokerProperties.entrySet()) {
            if (property.getKey() == null || property.getKey().isBlank()) {
                throw new IllegalArgumentException("brokerProperty names must not be blank");
            }
            if (RESERVED_BROKER_PROPERTIES.contains(property.getKey())) {
                throw new IllegalArgumentException("brokerProperty '" + property.getKey()
                        + "' is set by the testkit (listeners, ids and quorum are managed) and cannot be overridden");
            }
            if (property.getValue() == null) {
                throw new IllegalArgumentException(
                        "brokerProperty '" + property.getKey() + "' must have a value (was null)");
            }
        }
        brokerProperties = Map.copyOf(brokerProperties);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive (was " + startupTimeout + ")");
        }
        Objects.requireNonNull(logRoot, "logRoot");
        Objects.requireNonNull(brokerJvmOptions, "brokerJvmOptions");
        for (String option : brokerJvmOptions) {
            if (option == null || option.isBlank()) {
                throw new IllegalArgumentException("brokerJvmOptions must not contain blank options");
            }
        }
        brokerJvmOptions = List.copyOf(brokerJvmOptions);
        if (scram && backend != Backend.PROCESS) {
            throw new IllegalArgumentException("scram needs the PROCESS backend (was " + backend + ")");
        }
        Objects.requireNonNull(host, "host");
        if (!IPV4.matcher(host).matches()) {
            throw new IllegalArgumentException("host must be an IPv4 address (was '" + host + "')");
        }
        if (!host.equals(DEFAULT_HOST) && backend != Backend.PROCESS) {
            throw new IllegalArgumentException("host " + host + " needs the PROCESS backend (was " + backend + ")");
        }
    }

    /** A configuration whose brokers listen on {@link #DEFAULT_HOST}. */
    public KafkaClusterConfig(
            String name,
            int brokers,
            Map<String, String> brokerProperties,
            Backend backend,
            Duration startupTimeout,
            Path logRoot,
            List<String> brokerJvmOptions,
            boolean scram) {
        this(name, brokers, brokerProperties, backend, startupTimeout, logRoot, brokerJvmOptions, scram, DEFAULT_HOST);
    }

    /** A configuration without the SCRAM listener. */
    public KafkaClusterConfig(
            String name,
            int brokers,
            Map<String, String> brokerProperties,
            Backend backend,
            Duration startupTimeout,
            Path logRoot,
            List<String> brokerJvmOptions) {
        this(name, brokers, brokerProperties, backend, startupTimeout, logRoot, brokerJvmOptions, false);
    }

    /** A configuration with the {@link #TEST_JVM_OPTIONS}. */
    public KafkaClusterConfig(
            String name,
            int brokers,
            Map<String, String> brokerProperties,
            Backend backend,
            Duration startupTimeout,
            Path logRoot) {
        this(name, brokers, brokerProperties, backend, startupTimeout, logRoot, TEST_JVM_OPTIONS);
    }

    /**
     * Settings for fast, small test brokers: no auto-created topics, no initial rebalance delay, internal
     * topics replicated {@code min(3, brokers)} times, quick failure detection, and short KIP-848 consumer
     * group session timeouts so a dead consumer's partitions move within seconds.
     */
    public static Map<String, String> testDefaults(int brokers) {
        int replication = Math.min(3, brokers);
        int minIsr = Math.min(2, brokers);
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("auto.create.topics.enable", "false");
        defaults.put("group.initial.rebalance.delay.ms", "0");
        defaults.put("offsets.topic.replication.factor", Integer.toString(replication));
        defaults.put("offsets.topic.num.partitions", "5");
        defaults.put("transaction.state.log.replication.factor", Integer.toString(replication));
        defaults.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        defaults.put("transaction.state.log.num.partitions", "5");
        defaults.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        defaults.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
        defaults.put("min.insync.replicas", "1");
        defaults.put("num.partitions", "1");
        defaults.put("default.replication.factor", "1");
        defaults.put("num.network.threads", "2");
        defaults.put("num.io.threads", "2");
        defaults.put("broker.heartbeat.interval.ms", "1000");
        defaults.put("broker.session.timeout.ms", "6000");
        // Requests a broker sends to a hung controller give up after 5 s instead of 30 s.
        defaults.put("controller.socket.timeout.ms", "5000");
        defaults.put("group.consumer.min.session.timeout.ms", "1000");
        defaults.put("group.consumer.session.timeout.ms", "10000");
        defaults.put("group.consumer.min.heartbeat.interval.ms", "500");
        defaults.put("group.consumer.heartbeat.interval.ms", "1000");
        defaults.put("group.min.session.timeout.ms", "1000");
        return defaults;
    }

    /** The name of the SCRAM listener ({@code SASL_PLAINTEXT}). */
    public static final String SCRAM_LISTENER = "SASL_PLAINTEXT";

    /** The SCRAM mechanism of the SCRAM listener. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /** The super user a test may give SCRAM credentials to (the plaintext listeners' anonymous user is one too). */
    public static final String SCRAM_SUPER_USER = "admin";

    /**
     * What a {@link #scram()} cluster adds to every broker: SCRAM-SHA-512 on the {@value #SCRAM_LISTENER} listener, and
     * Kafka's KRaft authorizer ({@code StandardAuthorizer}) denying everything no ACL allows. The plaintext listeners
     * (the controller's, the brokers' own and the testkit's admin client) stay bound to 127.0.0.1 and authenticate
     * nobody: their {@code User:ANONYMOUS} is a super user, as is {@code User:}{@value #SCRAM_SUPER_USER}.
     */
    public static Map<String, String> scramBrokerProperties() {
        Map<String, String> scram = new LinkedHashMap<>();
        scram.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        scram.put(
                "listener.name." + SCRAM_LISTENER.toLowerCase(java.util.Locale.ROOT) + "."
                        + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        scram.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        scram.put("super.users", "User:ANONYMOUS;User:" + SCRAM_SUPER_USER);
        scram.put("allow.everyone.if.no.acl.found", "false");
        return scram;
    }

    /** {@link #testDefaults(int)} overlaid with {@link #brokerProperties()}, sorted by name. */
    public Map<String, String> effectiveBrokerProperties() {
        Map<String, String> effective = new TreeMap<>(testDefaults(brokers));
        if (scram) {
            effective.putAll(scramBrokerProperties());
        }
        effective.putAll(brokerProperties);
        return effective;
    }
}
