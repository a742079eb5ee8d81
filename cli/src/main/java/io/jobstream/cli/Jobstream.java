package io.jobstream.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
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
            CommandLine.HelpCommand.class,
            AutoComplete.GenerateCompletion.class
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
        return commandLine(out, err).execute(args);
    }

    /** The command tree, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Jobstream())
                .setOut(out)
                .setErr(err)
                // `--payload @email.json` is ours to read: picocli would split the file into arguments
                .setExpandAtFiles(false)
                // examples stand on one line each; descriptions are not re-wrapped at 80 columns
                .setUsageHelpWidth(HELP_WIDTH)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, arguments) -> {
                    CommandLine failed = e.getCommandLine();
                    failed.getErr().println("jobstream: " + e.getMessage());
                    if (failed.getCommandSpec().userObject() instanceof Jobstream && arguments.length == 0) {
                        failed.getErr().print(failed.getHelp().commandList());
                    }
                    failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help'.");
                    return USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine1, parseResult) -> {
                    commandLine1.getErr().println("jobstream: " + Failures.oneLine(e));
                    return FAILURE;
                });
        versionEverywhere(commandLine);
        return commandLine;
    }

    /** {@code -V} prints the version on every command, not only on {@code jobstream} itself. */
    private static void versionEverywhere(CommandLine commandLine) {
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            if (sub.getCommandSpec().versionProvider() == null) {
                sub.getCommandSpec().versionProvider(new Version());
            }
            versionEverywhere(sub);
        }
    }

    /** Columns of the rendered help. */
    static final int HELP_WIDTH = 120;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required; the commands are:");
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
