package io.jobstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws the harness's results as PNG charts: {@code BenchCharts <out-dir> <results.jsonl>...}, where each results file
 * holds the lines {@code Bench --json} printed (other lines are skipped). Writes {@code throughput.png} (median
 * throughput of Jobstream and the reference per scenario whose unit is a rate), when io-bound results are present
 * {@code io-bound-concurrency.png} (Jobstream's jobs/s at each concurrency against Parallel Consumer at 1,000), and
 * when latency results are present {@code latency.png} (p50, p99, p99.9 per rate, Jobstream beside Kafka).
 */
public final class BenchCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    private static final String LATENCY_PREFIX = "latency-";

    private BenchCharts() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BenchCharts <out-dir> <results.jsonl>...");
            System.exit(2);
            return;
        }
        List<Path> inputs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            inputs.add(Path.of(args[i]));
        }
        for (Path chart : write(Path.of(args[0]), inputs)) {
            System.out.println("wrote " + chart);
        }
    }

    /** Reads the result lines of {@code inputs} (the last line per scenario wins) and writes the charts. */
    public static List<Path> write(Path outDir, List<Path> inputs) throws IOException {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (Path input : inputs) {
            for (String line : Files.readAllLines(input)) {
                String trimmed = line.trim();
                if (trimmed.startsWith("{\"scenario\"")) {
                    JsonNode result = mapper.readTree(trimmed);
                    // Only the harness's results: the BullMQ peer's lines have no jobstream/reference pair.
                    if (result.has("jobstream") && result.has("reference") && result.has("unit")) {
                        results.put(result.get("scenario").asText(), result);
                    }
                }
            }
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no result lines ({\"scenario\":...}) in " + inputs);
        }
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        if (results.values().stream().anyMatch(BenchCharts::isRate)) {
            written.add(throughput(outDir, results));
        }
        if (results.containsKey("io-bound")) {
            written.add(ioBoundConcurrency(outDir, results));
        }
        if (results.keySet().stream().anyMatch(name -> name.startsWith(LATENCY_PREFIX))) {
            written.add(latency(outDir, results));
        }
        return written;
    }

    /** Whether {@code result} is a rate (per second), i.e. belongs on the throughput chart. */
    private static boolean isRate(JsonNode result) {
        return result.get("unit").asText().endsWith("/s");
    }

    /** {@code latency-<rate>k-<percentile>} results: grouped by rate and percentile, Jobstream beside Kafka. */
    private static Path latency(Path outDir, Map<String, JsonNode> results) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, JsonNode> entry : results.entrySet()) {
            if (!entry.getKey().startsWith(LATENCY_PREFIX)) {
                continue;
            }
            String[] rateAndPercentile =
                    entry.getKey().substring(LATENCY_PREFIX.length()).split("-", 2);
            String category = rateAndPercentile[0] + "/s " + rateAndPercentile[1];
            data.addValue(entry.getValue().get("jobstream").asDouble(), "Jobstream (publish -> handler)", category);
            data.addValue(entry.getValue().get("reference").asDouble(), "Kafka (producer -> consumer)", category);
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Latency percentiles at fixed rates (median of the runs)",
                "rate and percentile",
                "ms",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        // "50k/s p99.9" does not fit one line under its bars.
        chart.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelLines(2);
        return save(chart, outDir.resolve("latency.png"));
    }

    private static Path throughput(Path outDir, Map<String, JsonNode> results) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (JsonNode result : results.values()) {
            if (!isRate(result)) {
                continue;
            }
            String scenario =
                    result.get("scenario").asText() + " (" + result.get("unit").asText() + ")";
            data.addValue(result.get("jobstream").asDouble(), "Jobstream", scenario);
            data.addValue(result.get("reference").asDouble(), "reference", scenario);
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "Jobstream vs reference (median of the runs)",
                "scenario",
                "per second",
                data,
                PlotOrientation.HORIZONTAL,
                true,
                false,
                false);
        return save(chart, outDir.resolve("throughput.png"));
    }

    private static Path ioBoundConcurrency(Path outDir, Map<String, JsonNode> results) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        JsonNode c1000 = results.get("io-bound");
        data.addValue(c1000.get("jobstream").asDouble(), "Jobstream (KEY)", "concurrency 1,000");
        data.addValue(c1000.get("reference").asDouble(), "Parallel Consumer (KEY)", "concurrency 1,000");
        JsonNode c10000 = results.get("io-bound-c10000");
        if (c10000 != null) {
            data.addValue(c10000.get("jobstream").asDouble(), "Jobstream (KEY)", "concurrency 10,000");
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "io-bound: 5 ms handler, 10,000 keys — jobs/s by concurrency",
                "concurrency",
                "jobs/s",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        return save(chart, outDir.resolve("io-bound-concurrency.png"));
    }

    private static Path save(JFreeChart chart, Path file) throws IOException {
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
