package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged command against brokers that are not there: one line on stderr, exit 1, nothing else. */
class UnreachableBrokerIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "lag --queue jobs",
                "dlq list --queue jobs",
                "topics create --queue jobs",
                "publish --queue jobs --type log --payload {}"
            })
    void aOneShotCommandPrintsOnlyTheOneUsefulLine(String commandLine, @TempDir Path dir) throws Exception {
        // Given a bootstrap address where nothing listens
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toAbsolutePath().toString()));
        command.addAll(List.of(commandLine.split(" ")));
        command.addAll(List.of("--bootstrap-servers", "127.0.0.1:1"));
        Path stdout = dir.resolve("out");
        Path stderr = dir.resolve("err");

        // When the packaged command runs
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }

        // Then it exits 1 with exactly one line naming the brokers, and no client warnings before it
        assertThat(exited).as("exited").isTrue();
        assertThat(process.exitValue()).isEqualTo(Jobstream.FAILURE);
        assertThat(Files.readAllLines(stderr))
                .singleElement()
                .asString()
                .startsWith("jobstream: Kafka is not reachable")
                .contains("127.0.0.1:1");
    }
}
