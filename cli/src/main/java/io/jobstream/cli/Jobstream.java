package io.jobstream.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one {@code jobstream} command. Exit codes: 0 success, 1 a runtime failure (one line naming what went wrong),
 * 2 a usage error (one line and a pointer to {@code --help}).
 */
@Command(
        name = "jobstream",
        mixinStandardHelpOptions = true,
        versionProvider = Jobstream.Version.class,
        description = "Job processing on Apache Kafka: queues, workers, retries, dead letters.",
        subcommands = {
            DevCommand.class,
            ApiCommand.class,
            WorkerCommand.class,
            DlqServiceCommand.class,
            PublishCommand.class,
            SchedulerCommand.class,
            DlqCommand.class,
            LagCommand.class,
            JobsCommand.class,
            TopicsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  jobstream dev                                   # a broker and the 'jobs' queue on this machine",
            "  jobstream topics create --queue emails --partitions 12 --replication 3",
            "",
            "Every option can also be set in the config file (--config) or by an env var: JOBSTREAM_<KEY>."
        })
public final class Jobstream implements Runnable {
    /** Exit code of a usage error. */
    public static final int USAGE = 2;
    /** Exit code of a runtime failure. */
    public static final int FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Jobstream())
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, arguments) -> {
                    e.getCommandLine().getErr().println("jobstream: " + e.getMessage());
                    e.getCommandLine()
                            .getErr()
                            .println("Try '"
                                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
                    return USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine1, parseResult) -> {
                    commandLine1.getErr().println("jobstream: " + Failures.oneLine(e));
                    return FAILURE;
                });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see the list below)");
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Jobstream.class.getPackage().getImplementationVersion();
            return new String[] {"jobstream " + (version == null ? "development" : version)};
        }
    }
}
