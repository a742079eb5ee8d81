package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulShutdownSignalIT {

    @Test
    void sigtermShutsComponentsDownInReverseOrder() throws Exception {
        // Given a real service process with three components and the hook installed
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.logFile=System.out",
                        ShutdownOnSignalMain.class.getName())
                .redirectErrorStream(true)
                .start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The process is gone.
            }
        });
        try {
            await().until(() -> lines.contains("ready"));

            // When it gets SIGTERM (through the handle: Process.destroy() would also close our end of its output)
            assertThat(process.toHandle().destroy()).isTrue();

            // Then it exits after closing the components, last registered first
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            List<String> closes = lines.stream()
                    .filter(line -> line.startsWith("closed ") || line.startsWith("drained "))
                    .toList();
            assertThat(closes).as("process output: %s", lines).hasSize(3).endsWith("closed producer", "closed admin");
            assertThat(closes.get(0)).startsWith("drained consumer within PT");
            assertThat(lines).anyMatch(line -> line.contains("shutdown started trigger=jvm_shutdown components=3"));
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
