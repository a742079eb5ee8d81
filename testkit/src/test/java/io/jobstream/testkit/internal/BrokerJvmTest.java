package io.jobstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.testkit.KafkaClusterConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerJvmTest {

    @Test
    void brokerClasspathHoldsKafkaServerAndALoggingBindingButNoTestTooling() {
        // When
        List<String> jars = Arrays.stream(BrokerJvm.classpath().split(File.pathSeparator))
                .map(entry -> Path.of(entry).getFileName().toString())
                .toList();

        // Then
        assertThat(jars)
                .anyMatch(jar -> jar.startsWith("kafka_2.13-"))
                .anyMatch(jar -> jar.startsWith("kafka-server-"))
                .anyMatch(jar -> jar.startsWith("kafka-clients-"))
                .anyMatch(jar -> jar.startsWith("log4j-slf4j2-impl-"))
                .anyMatch(jar -> jar.startsWith("zstd-jni-"))
                .noneMatch(jar -> jar.startsWith("junit-"))
                .noneMatch(jar -> jar.startsWith("testcontainers-"))
                .noneMatch(jar -> jar.startsWith("slf4j-simple-"));
    }

    @Test
    void commandRunsTheMainClassThroughTheParentWatchdog() {
        // When
        List<String> command = BrokerJvm.command(Path.of("/tmp/log4j2.properties"), BrokerJvm.KAFKA_MAIN, List.of("x"));

        // Then
        assertThat(command)
                .containsSubsequence(
                        ParentWatchdog.class.getName(),
                        Long.toString(ProcessHandle.current().pid()),
                        "kafka.Kafka",
                        "x");
        assertThat(command).contains("-Xmx512m", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    }

    @Test
    void aBrokerForMeasurementsGetsKafkasOwnHeapAndCollectorAndBothCompilers() {
        // When
        List<String> command = BrokerJvm.command(
                KafkaClusterConfig.PRODUCTION_JVM_OPTIONS,
                Path.of("/tmp/log4j2.properties"),
                BrokerJvm.KAFKA_MAIN,
                List.of("x"));

        // Then
        assertThat(command).contains("-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true");
        assertThat(command).doesNotContain("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(command.indexOf("-XX:+UseG1GC")).isLessThan(command.indexOf("-cp"));
    }
}
