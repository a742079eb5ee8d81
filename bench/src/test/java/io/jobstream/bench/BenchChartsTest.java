package io.jobstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartsTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void drawsAThroughputChartAndAConcurrencyChartFromResultLines(@TempDir Path dir) throws Exception {
        // Given the lines Bench --json printed, mixed with other output
        Path results = dir.resolve("results.jsonl");
        Files.writeString(
                results,
                String.join(
                        "\n",
                        "### Bench drain",
                        new Bench.Result(
                                        "drain-key",
                                        "records/s",
                                        List.of(2.0e5),
                                        List.of(7.0e5),
                                        List.of(1L),
                                        List.of(1L),
                                        186,
                                        "ConsumerPerformance")
                                .toJson(),
                        new Bench.Result(
                                        "io-bound",
                                        "jobs/s",
                                        List.of(1.0e5),
                                        List.of(2.2e4),
                                        List.of(1L),
                                        List.of(1L),
                                        184,
                                        "Parallel Consumer")
                                .toJson(),
                        new Bench.Result(
                                        "io-bound-c10000",
                                        "jobs/s",
                                        List.of(1.03e5),
                                        List.of(2.2e4),
                                        List.of(1L),
                                        List.of(1L),
                                        231,
                                        "Parallel Consumer")
                                .toJson()));

        // When the charts are drawn
        List<Path> charts = BenchCharts.write(dir.resolve("charts"), List.of(results));

        // Then both are readable PNG images
        assertThat(charts)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("throughput.png", "io-bound-concurrency.png");
        for (Path chart : charts) {
            BufferedImage image = ImageIO.read(chart.toFile());
            assertThat(image).isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
        }
    }

    @Test
    void drawsALatencyChartFromLatencyResultsAndKeepsMillisecondsOffTheThroughputChart(@TempDir Path dir)
            throws Exception {
        // Given latency percentiles (ms), a delay lateness (ms), one rate, and a BullMQ peer line (not a harness
        // result)
        Path results = dir.resolve("results.jsonl");
        Files.writeString(
                results,
                String.join(
                        "\n",
                        result("latency-10k-p50", "ms", 3.1, 2.0),
                        result("latency-10k-p99", "ms", 12.5, 8.0),
                        result("latency-10k-p99.9", "ms", 30.0, 15.0),
                        result("delay-lateness-p99", "ms", 600.0, 1000.0),
                        result("retry-router", "failures/s", 20_000.0, 300_000.0),
                        "{\"scenario\":\"bullmq-drain-noop-c50\",\"bullmq\":24742.2,\"unit\":\"jobs/s\"}"));

        // When the charts are drawn
        List<Path> charts = BenchCharts.write(dir.resolve("charts"), List.of(results));

        // Then a throughput chart (the rate) and a latency chart are written, and both are PNG images
        assertThat(charts).extracting(p -> p.getFileName().toString()).containsExactly("throughput.png", "latency.png");
        for (Path chart : charts) {
            assertThat(ImageIO.read(chart.toFile())).isNotNull();
        }
    }

    private static String result(String scenario, String unit, double jobstream, double reference) {
        return new Bench.Result(
                        scenario,
                        unit,
                        List.of(jobstream),
                        List.of(reference),
                        List.of(1L),
                        List.of(1L),
                        -1,
                        "reference")
                .toJson();
    }

    @Test
    void refusesInputWithoutResultLines(@TempDir Path dir) throws Exception {
        // Given a file without result lines, when drawn, then the error says so
        Path empty = Files.writeString(dir.resolve("empty.txt"), "nothing here\n");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchCharts.write(dir.resolve("charts"), List.of(empty)))
                .withMessageContaining("no result lines");
    }
}
