package io.jobstream.testkit.internal;

import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.KafkaClusterConfig;
import io.jobstream.testkit.TestkitException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Command lines for child JVMs that run Kafka's own main classes. Their classpath is the one the build
 * resolved for the testkit's {@code provided} Kafka server dependencies ({@code broker.classpath} and
 * {@code broker-runtime.classpath} resources), so the server jars never reach the test's classpath.
 */
public final class BrokerJvm {

    /** Kafka's broker main class. */
    public static final String KAFKA_MAIN = "kafka.Kafka";

    /** Kafka's storage tool ({@code kafka-storage.sh}): formats a KRaft log directory. */
    public static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";

    /** Options every broker-side JVM gets, whatever its heap and compiler options. */
    public static final List<String> COMMON_JVM_OPTIONS = List.of("-Djava.awt.headless=true");

    private static final List<String> CLASSPATH_RESOURCES = List.of("broker.classpath", "broker-runtime.classpath");

    private static volatile String classpath;

    private BrokerJvm() {}

    /** {@code java} of the running JVM, so brokers run on the same JDK as the tests. */
    public static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Files.isExecutable(Path.of(command)))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * {@code java <options> -cp <broker classpath> ParentWatchdog <our pid> <mainClass> <arguments>}.
     */
    public static List<String> command(Path log4jConfig, String mainClass, List<String> arguments) {
        return command(KafkaClusterConfig.TEST_JVM_OPTIONS, log4jConfig, mainClass, arguments);
    }

    /** {@link #command(Path, String, List)} with the given heap, collector and compiler options. */
    public static List<String> command(
            List<String> jvmOptions, Path log4jConfig, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.addAll(COMMON_JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + log4jConfig.toAbsolutePath());
        command.add("-cp");
        command.add(classpath());
        command.add(ParentWatchdog.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    /** The broker classpath: the resolved Kafka server jars plus the testkit's own classes (for the watchdog). */
    public static String classpath() {
        String cached = classpath;
        if (cached != null) {
            return cached;
        }
        Set<String> entries = new LinkedHashSet<>();
        for (String resource : CLASSPATH_RESOURCES) {
            try (InputStream in = KafkaCluster.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new TestkitException("Resource io/jobstream/testkit/" + resource + " is missing: the testkit"
                            + " was built without its generate-resources step (maven-dependency-plugin"
                            + " build-classpath)");
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                entries.addAll(Arrays.stream(text.split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank())
                        .toList());
            } catch (IOException e) {
                throw new TestkitException("Cannot read io/jobstream/testkit/" + resource + ": " + e, e);
            }
        }
        List<String> missing =
                entries.stream().filter(entry -> !Files.exists(Path.of(entry))).toList();
        if (!missing.isEmpty()) {
            throw new TestkitException("The Kafka broker classpath names jars that are not there (was the local Maven"
                    + " repository moved or cleaned? rebuild the testkit): " + missing);
        }
        entries.add(ownLocation());
        cached = String.join(File.pathSeparator, entries);
        classpath = cached;
        return cached;
    }

    private static String ownLocation() {
        try {
            return Path.of(ParentWatchdog.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new TestkitException("Cannot locate the testkit's own classes for the broker classpath: " + e, e);
        }
    }
}
