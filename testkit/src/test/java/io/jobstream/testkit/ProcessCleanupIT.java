package io.jobstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing a test JVM started outlives it: not when it exits without closing, not when it is SIGKILLed. */
class ProcessCleanupIT {

    @Test
    void brokersAndRedisEndWhenTheTestJvmExitsWithoutClosingThem() throws Exception {
        // Given a JVM that started a cluster and a Redis server
        Process jvm = startAbandoningJvm();
        try {
            List<ProcessHandle> children = awaitReady(jvm);
            assertThat(children).hasSizeGreaterThanOrEqualTo(2);

            // When it exits without closing them
            jvm.getOutputStream().write("exit\n".getBytes(StandardCharsets.UTF_8));
            jvm.getOutputStream().flush();

            // Then its shutdown hook ended every child
            await().atMost(Duration.ofSeconds(30)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void brokersEndWhenTheTestJvmIsKilled() throws Exception {
        // Given a JVM that started a cluster (and a Redis server)
        Process jvm = startAbandoningJvm();
        List<ProcessHandle> children = List.of();
        try {
            children = awaitReady(jvm);
            List<ProcessHandle> brokers = children.stream()
                    .filter(child -> child.info().command().orElse("").endsWith("/java"))
                    .toList();
            assertThat(brokers).hasSize(1);

            // When it is SIGKILLed (no shutdown hook runs)
            jvm.destroyForcibly();

            // Then the watchdog inside the broker JVM halts it
            await().atMost(Duration.ofSeconds(30)).until(() -> brokers.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            jvm.destroyForcibly();
            // redis-server has no watchdog (only the shutdown hook ends it): end it here
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static Process startAbandoningJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), AbandonedClusterMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Waits for READY and returns the JVM's child processes (brokers, redis-server). */
    private static List<ProcessHandle> awaitReady(Process jvm) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("READY")) {
            // skip anything else the JVM prints
        }
        assertThat(line).as("the child JVM reported READY").isEqualTo("READY");
        return jvm.children().toList();
    }
}
