package io.jobstream.bench;

import java.io.PrintStream;
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

    private Bench() {}

    /** Parsed command line. */
    public record Options(
            String scenario, Optional<Long> records, int repeat, boolean json, Optional<String> bootstrap) {
        public Options {
            if (!List.of("drain", "publish", "io-bound").contains(scenario)) {
                throw new IllegalArgumentException(
                        "scenario must be one of drain, publish, io-bound; got '" + scenario + "'");
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
                    case "--records" -> records = Optional.of(Long.parseLong(value(args, ++i, "--records")));
                    case "--repeat" -> repeat = Integer.parseInt(value(args, ++i, "--repeat"));
                    case "--json" -> json = true;
                    case "--bootstrap-servers" -> bootstrap = Optional.of(value(args, ++i, "--bootstrap-servers"));
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + usage());
                }
            }
            return new Options(scenario, records, repeat, json, bootstrap);
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
            return String.format(
                    Locale.ROOT,
                    "{\"scenario\":\"%s\",\"jobstream\":%.1f,\"reference\":%.1f,\"ratio\":%.3f,\"unit\":\"%s\","
                            + "\"jobstreamMin\":%.1f,\"jobstreamMax\":%.1f,\"referenceMin\":%.1f,\"referenceMax\":%.1f,"
                            + "\"repeat\":%d,\"peakHeapMiB\":%d,\"referenceName\":\"%s\"}",
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
            return String.format(
                    Locale.ROOT,
                    "%-22s jobstream median %,12.0f (min %,.0f max %,.0f) %s%n"
                            + "%-22s reference median %,12.0f (min %,.0f max %,.0f) [%s]%n"
                            + "%-22s ratio %.3f  peak heap %s%n",
                    scenario,
                    jobstreamMedian(),
                    min(jobstream),
                    max(jobstream),
                    unit,
                    "",
                    referenceMedian(),
                    min(reference),
                    max(reference),
                    referenceName,
                    "",
                    ratio(),
                    peakHeapMiB < 0 ? "n/a" : peakHeapMiB + " MiB");
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
        List<Result> results = new ArrayList<>();
        try (BenchEnvironment env = BenchEnvironment.open(options.bootstrap(), options.json() ? null : out)) {
            Scenarios scenarios = new Scenarios(env, options.json() ? null : out);
            switch (options.scenario()) {
                case "drain" ->
                    results.addAll(scenarios.drain(options.records().orElse(DEFAULT_DRAIN_RECORDS), options.repeat()));
                case "publish" ->
                    results.add(scenarios.publish(options.records().orElse(DEFAULT_PUBLISH_RECORDS), options.repeat()));
                case "io-bound" ->
                    results.addAll(
                            scenarios.ioBound(options.records().orElse(DEFAULT_IO_BOUND_RECORDS), options.repeat()));
                default -> throw new IllegalStateException(options.scenario());
            }
        }
        for (Result result : results) {
            out.print(options.json() ? result.toJson() + System.lineSeparator() : result.toText());
        }
        out.flush();
        return results;
    }

    static String usage() {
        return "usage: Bench <drain|publish|io-bound> [--records N] [--repeat K] [--json] [--bootstrap-servers B]";
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
