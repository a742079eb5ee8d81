package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What ships is what runs: the service jar the image carries (built in the package phase) holds the roles and the
 * operator commands, and none of the test kits, benchmarks or the broker that {@code dev} and {@code bench} carry.
 */
class ServiceJarIT {
    private static final Path JAR = Path.of("target", "jobstream.jar");
    /** The budget the House issue set for the service jar, in bytes (README "Modules" gives the measured size). */
    private static final long MAX_BYTES = 45_000_000L;

    @Test
    void theServiceJarStaysWithinItsBudget() throws IOException {
        assertThat(JAR).as("the packaged jar (built in the package phase)").exists();
        assertThat(Files.size(JAR)).as("bytes of %s", JAR).isLessThanOrEqualTo(MAX_BYTES);
    }

    @Test
    void theServiceJarCarriesNoTestKitBenchmarkOrBroker() throws IOException {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();

            // the roles and the operator commands are there
            assertThat(names)
                    .contains(
                            "io/jobstream/cli/Jobstream.class",
                            "io/jobstream/processor/JobProcessor.class",
                            "io/jobstream/dlq/DlqService.class",
                            "org/apache/kafka/streams/KafkaStreams.class");
            // and nothing that only tests, benchmarks or the embedded broker need
            assertThat(names)
                    .noneMatch(n -> n.startsWith("org/junit/")
                            || n.startsWith("org/testcontainers/")
                            || n.startsWith("com/github/dockerjava/")
                            || n.startsWith("org/openjdk/jmh/")
                            || n.startsWith("org/jfree/")
                            || n.startsWith("io/confluent/parallelconsumer/")
                            || n.startsWith("kafka/server/")
                            || n.startsWith("scala/")
                            || n.startsWith("io/jobstream/testkit/")
                            || n.startsWith("io/jobstream/bench/")
                            || n.startsWith("io/jobstream/dev/"));
            // natives only for the image's platforms (linux x86_64 and aarch64, glibc)
            assertThat(names.stream().filter(n -> n.startsWith("librocksdbjni")))
                    .containsExactlyInAnyOrder("librocksdbjni-linux64.so", "librocksdbjni-linux-aarch64.so");
            assertThat(names.stream().filter(n -> n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib")))
                    .isEmpty();
        }
    }

    @Test
    void theServiceJarRunsAndNamesWhereDevLives() throws Exception {
        // When the image's entry point is asked for dev, which it does not carry
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.toAbsolutePath().toString(),
                        "dev")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // Then a usage error that points at the checkout's ./jobstream dev
        assertThat(process.exitValue()).as(output).isEqualTo(Jobstream.USAGE);
        assertThat(output).contains("'dev' is not in this jar", "./jobstream dev");
    }
}
