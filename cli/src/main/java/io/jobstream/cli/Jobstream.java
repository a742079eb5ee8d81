package io.jobstream.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
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
        footer = {
            "",
            "Examples:",
            "  jobstream dev                                   # a broker and the 'jobs' queue on this machine",
            "  jobstream topics create --queue emails --partitions 12 --replication 3",
            "",
            "Every option can also be set in the config file (--config) or by an env var: JOBSTREAM_<KEY>.",
            "`jobstream dev` and `jobstream bench` run from a checkout (./jobstream dev); the service image has neither."
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
        CommandLine commandLine = withCommands(new CommandLine(new Jobstream()))
                .setOut(out)
                .setErr(err)
                // `--payload @email.json` is ours to read: picocli would split the file into arguments
                .setExpandAtFiles(false)
                // examples stand on one line each; descriptions are not re-wrapped at 80 columns
                .setUsageHelpWidth(HELP_WIDTH)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, arguments) -> {
                    CommandLine failed = e.getCommandLine();
                    failed.getErr().println("jobstream: " + usageLine(e));
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

    /** The commands of the service jar, plus any {@link ExtensionCommand} on the class path (dev, bench). */
    private static CommandLine withCommands(CommandLine commandLine) {
        List<ExtensionCommand> extensions = ServiceLoader.load(ExtensionCommand.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        extensions.stream().filter(ExtensionCommand::listedFirst).forEach(commandLine::addSubcommand);
        for (Object command : new Object[] {
            new ApiCommand(),
            new WorkerCommand(),
            new DlqServiceCommand(),
            new PublishCommand(),
            new SchedulerCommand(),
            new DlqCommand(),
            new LagCommand(),
            new JobsCommand(),
            new TopicsCommand()
        }) {
            commandLine.addSubcommand(command);
        }
        extensions.stream().filter(e -> !e.listedFirst()).forEach(commandLine::addSubcommand);
        commandLine.addSubcommand(new CommandLine.HelpCommand());
        commandLine.addSubcommand(new AutoComplete.GenerateCompletion());
        return commandLine;
    }

    /** The commands that live in their own artifact, and the jar that has each (see {@link ExtensionCommand}). */
    private static final Map<String, String> EXTENSION_JARS =
            Map.of("dev", "dev/target/jobstream-dev.jar", "bench", "bench/target/jobstream-bench.jar");

    /**
     * A usage error's one line; {@code jobstream dev} in the service image says where dev lives instead of "Unmatched
     * argument".
     */
    private static String usageLine(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && unmatched.getCommandLine().getCommandSpec().userObject() instanceof Jobstream
                && !unmatched.getUnmatched().isEmpty()
                && EXTENSION_JARS.containsKey(unmatched.getUnmatched().get(0))) {
            String command = unmatched.getUnmatched().get(0);
            return "'" + command + "' is not in this jar (the service image carries no " + command
                    + " command); run it from a checkout of Jobstream: ./jobstream " + command + " (it builds "
                    + EXTENSION_JARS.get(command) + ")";
        }
        return e.getMessage();
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
