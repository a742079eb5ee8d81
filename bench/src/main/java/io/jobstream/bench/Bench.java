package io.jobstream.bench;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The side-by-side harness: {@code Bench <scenario> [--records N] [--repeat K] [--json] [--bootstrap-servers B]}.
 *
 * <p>Scenarios: {@code drain} (no-op drain of a pre-filled 12-partition topic, KEY and UNORDERED, vs Kafka's {@code
 * ConsumerPerformance}), {@code publish} ({@code JobPublisher} async vs {@code ProducerPerformance}), {@code io-bound}
 * (5 ms handler, 10,000 keys, KEY mode at concurrency 1,000 vs Confluent Parallel Consumer with KEY ordering and
 * maxConcurrency 1,000; also concurrency 10,000). Each scenario starts its own single broker (testkit) unless {@code
 * --bootstrap-servers} is given, warms it, then runs Jobstream and the reference alternately, {@code --repeat} times
 * each, and prints median, min and max and the ratio of the medians; {@code --json} prints one JSON object per result
 * line instead.
 */
public final class Bench {
    /** Records per run unless {@code --records} says otherwise, per scenario. */
    static final long DEFAULT_DRAIN_RECORDS = 1_000_000;

    static final long DEFAULT_PUBLISH_RECORDS = 1_000_000;
    static final long DEFAULT_IO_BOUND_RECORDS = 200_000;
    static final long DEFAULT_RETRY_RECORDS = 200_000;
    static final long DEFAULT_LATENCY_RECORDS = 200_000;
    static final long DEFAULT_COORDINATION_RECORDS = 200_000;

    /** The scenarios, in the order the usage lists them. */
    public static final List<String> SCENARIOS =
            List.of("drain", "publish", "io-bound", "retry", "latency", "coordination");

    private Bench() {}

    /** Parsed command line. */
    public record Options(
            String scenario, Optional<Long> records, int repeat, boolean json, Optional<String> bootstrap) {
        public Options {
            if (!SCENARIOS.contains(scenario)) {
                throw new IllegalArgumentException(
                        "scenario must be one of " + String.join(", ", SCENARIOS) + "; got '" + scenario + "'");
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat must be at least 1; got " + repeat);
            }
            records.ifPresent(n -> {
                if (n < 1) {
                    throw new IllegalArgumentException("--records must be at least 1; got " + n);
                }
            });
        }

        /** Parses {@code args}. */
        public static Options parse(String... args) {
            if (args.length == 0) {
                throw new IllegalArgumentException(usage());
            }
            String scenario = args[0];
            Optional<Long> records = Optional.empty();
            int repeat = 3;
            boolean json = false;
            Optional<String> bootstrap = Optional.empty();
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--records" -> records = Optional.of(number(value(args, ++i, "--records"), "--records"));
                    case "--repeat" ->
                        repeat = (int) Math.min(Integer.MAX_VALUE, number(value(args, ++i, "--repeat"), "--repeat"));
                    case "--json" -> json = true;
                    case "--bootstrap-servers" -> bootstrap = Optional.of(value(args, ++i, "--bootstrap-servers"));
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + usage());
                }
            }
            return new Options(scenario, records, repeat, json, bootstrap);
        }

        private static long number(String text, String name) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number; got '" + text + "'");
            }
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[i];
        }
    }

    /**
     * One compared figure: the per-repetition values of both sides, and what each run counted.
     *
     * @param scenario e.g. {@code drain-key}
     * @param unit e.g. {@code records/s}
     * @param jobstream Jobstream's value per repetition
     * @param reference the reference's value per repetition
     * @param jobstreamCounted jobs Jobstream's side counted per repetition
     * @param referenceCounted records the reference counted per repetition
     * @param peakHeapMiB the highest heap use seen during Jobstream's runs (sum of pool peaks), -1 if not measured
     * @param referenceName what the reference is
     */
    public record Result(
            String scenario,
            String unit,
            List<Double> jobstream,
            List<Double> reference,
            List<Long> jobstreamCounted,
            List<Long> referenceCounted,
            long peakHeapMiB,
            String referenceName) {

        public double jobstreamMedian() {
            return median(jobstream);
        }

        public double referenceMedian() {
            return median(reference);
        }

        public double ratio() {
            return jobstreamMedian() / referenceMedian();
        }

        /** The result as one JSON object. */
        public String toJson() {
            // Rates with one decimal, milliseconds with three.
            String n = decimals() == 0 ? "%.1f" : "%.3f";
            return String.format(
                    Locale.ROOT,
                    "{\"scenario\":\"%s\",\"jobstream\":" + n + ",\"reference\":" + n
                            + ",\"ratio\":%.3f,\"unit\":\"%s\",\"jobstreamMin\":" + n + ",\"jobstreamMax\":" + n
                            + ",\"referenceMin\":" + n + ",\"referenceMax\":" + n
                            + ",\"repeat\":%d,\"peakHeapMiB\":%d,\"referenceName\":\"%s\"}",
                    scenario,
                    jobstreamMedian(),
                    referenceMedian(),
                    ratio(),
                    unit,
                    min(jobstream),
                    max(jobstream),
                    min(reference),
                    max(reference),
                    jobstream.size(),
                    peakHeapMiB,
                    referenceName);
        }

        /** The result as text lines. */
        public String toText() {
            String n = "%,." + decimals() + "f";
            return String.format(
                    Locale.ROOT,
                    "%-22s jobstream median %12s (min " + n + " max " + n + ") %s%n"
                            + "%-22s reference median %12s (min " + n + " max " + n + ") [%s]%n"
                            + "%-22s ratio %.3f  peak heap %s%n",
                    scenario,
                    String.format(Locale.ROOT, n, jobstreamMedian()),
                    min(jobstream),
                    max(jobstream),
                    unit,
                    "",
                    String.format(Locale.ROOT, n, referenceMedian()),
                    min(reference),
                    max(reference),
                    referenceName,
                    "",
                    ratio(),
                    peakHeapMiB < 0 ? "n/a" : peakHeapMiB + " MiB");
        }

        /** Decimals worth printing: none for rates, two for milliseconds. */
        private int decimals() {
            return unit.endsWith("/s") ? 0 : 2;
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /** Runs {@code options}' scenario and prints its results to {@code out}; returns them. */
    public static List<Result> run(Options options, PrintStream out) throws Exception {
        PrintWriter writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
        try {
            return run(options, writer);
        } finally {
            writer.flush();
        }
    }

    /**
     * Runs {@code options}' scenario and prints its results to {@code out} (with progress lines unless {@code --json});
     * returns them.
     *
     * @throws IllegalStateException when a side did not count every job, or a guarantee failed (a delayed job early)
     */
    public static List<Result> run(Options options, PrintWriter out) throws Exception {
        List<Result> results = new ArrayList<>();
        if (options.scenario().equals("coordination")) {
            // Needs a redis-server, not Kafka: no broker is started (--bootstrap-servers is not used).
            results.addAll(new CoordinationScenario(progress(options, out))
                    .run(options.records().orElse(DEFAULT_COORDINATION_RECORDS), options.repeat()));
            print(results, options, out);
            return results;
        }
        try (BenchEnvironment env = BenchEnvironment.open(options.bootstrap(), progress(options, out))) {
            Scenarios scenarios = new Scenarios(env, progress(options, out));
            switch (options.scenario()) {
                case "drain" ->
                    results.addAll(scenarios.drain(options.records().orElse(DEFAULT_DRAIN_RECORDS), options.repeat()));
                case "publish" ->
                    results.add(scenarios.publish(options.records().orElse(DEFAULT_PUBLISH_RECORDS), options.repeat()));
                case "io-bound" ->
                    results.addAll(
                            scenarios.ioBound(options.records().orElse(DEFAULT_IO_BOUND_RECORDS), options.repeat()));
                case "retry" ->
                    results.addAll(new RetryScenario(env, scenarios)
                            .run(options.records().orElse(DEFAULT_RETRY_RECORDS), options.repeat()));
                case "latency" ->
                    results.addAll(new LatencyScenario(env, scenarios)
                            .run(options.records().orElse(DEFAULT_LATENCY_RECORDS), options.repeat()));
                default -> throw new IllegalStateException(options.scenario());
            }
        }
        print(results, options, out);
        return results;
    }

    /** Where progress lines go: {@code out}, or standard error with {@code --json} (standard output stays JSON only). */
    private static PrintWriter progress(Options options, PrintWriter out) {
        return options.json() ? new PrintWriter(System.err, true, StandardCharsets.UTF_8) : out;
    }

    private static void print(List<Result> results, Options options, PrintWriter out) {
        for (Result result : results) {
            out.print(options.json() ? result.toJson() + System.lineSeparator() : result.toText());
        }
        out.flush();
    }

    static String usage() {
        return "usage: Bench <" + String.join("|", SCENARIOS)
                + "> [--records N] [--repeat K] [--json] [--bootstrap-servers B]";
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
