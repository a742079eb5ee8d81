package io.jobstream.bench;

import io.jobstream.cli.ExtensionCommand;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jobstream bench <scenario>}: the side-by-side benchmark harness ({@link Bench}) — Jobstream and a reference
 * tool alternately in the same run, against a broker the harness starts (or {@code --bootstrap-servers}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks Jobstream against a reference in the same run, alternating, --repeat times each, and prints",
            "median, min and max of both sides and their ratio (--json: one object per result). Starts its own",
            "Kafka broker (a child JVM) unless --bootstrap-servers is given.",
            "Scenarios: drain, publish, io-bound, retry, latency, coordination (the last starts a redis-server).",
            "Both sides share this JVM: pin its heap for steady figures (JOBSTREAM_JAVA_OPTS=\"-Xms512m -Xmx512m\");",
            "a growing heap makes the side that allocates more pay for the growth."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream bench drain --records 20000 --repeat 1 --json",
            "  JOBSTREAM_JAVA_OPTS=\"-Xms512m -Xmx512m\" jobstream bench publish --repeat 5",
            "  jobstream bench latency",
            "  jobstream bench retry --bootstrap-servers localhost:9092"
        })
public final class BenchCommand implements Callable<Integer>, ExtensionCommand {
    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "SCENARIO",
            description = "One of drain, publish, io-bound, retry, latency, coordination.")
    String scenario;

    @Option(
            names = "--records",
            paramLabel = "N",
            description = "Jobs (records, failures, operations) per run; each scenario has its own default.")
    Long records;

    @Option(
            names = "--repeat",
            defaultValue = "3",
            paramLabel = "K",
            description = "Runs of each side (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--json",
            description = "One JSON object per result on standard output; progress lines go to standard error.")
    boolean json;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description = "Run against these brokers instead of starting one.")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        Bench.Options options;
        try {
            options = new Bench.Options(
                    scenario, Optional.ofNullable(records), repeat, json, Optional.ofNullable(bootstrapServers));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Bench.run(options, spec.commandLine().getOut());
        return 0;
    }
}
