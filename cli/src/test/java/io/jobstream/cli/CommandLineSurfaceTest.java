package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a person meets at the command line: rendered help, file arguments, versions, aliases. */
class CommandLineSurfaceTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aPayloadFileArgumentReachesTheCommandWhole(@TempDir Path dir) throws Exception {
        // Given a payload file with spaces in it, as `--help` and the README show it
        Path email = dir.resolve("email.json");
        Files.writeString(email, "{\"to\": \"a@example.com\", \"subject\": \"hello there\"}");

        // When the documented form is parsed (picocli would expand @file into words by itself)
        PublishCommand publish = new PublishCommand();
        CommandLine commandLine = Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult parsed =
                commandLine.parseArgs("publish", "--queue", "jobs", "--type", "send_email", "--payload", "@" + email);

        // Then the option holds the file reference, and the command reads the file as the payload
        CommandLine.ParseResult sub = parsed.subcommand();
        assertThat(sub.matchedOptionValue("--payload", "")).isEqualTo("@" + email);
        publish.payload = "@" + email;
        publish.spec = sub.commandSpec();
        assertThat(publish.payloadJson()).contains("hello there");
    }

    @Test
    void everyCommandsHelpRendersItsTextAsWritten() {
        // Given every command and subcommand
        List<String> problems = new ArrayList<>();
        CommandLine root = Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err));
        forEachCommand(root, commandLine -> {
            // When its help is rendered
            String help = commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = commandLine.getCommandSpec().qualifiedName();

            // Then no placeholder was eaten by picocli's variable interpolation
            if (help.contains("null") || help.contains("; and ")) {
                problems.add(name + ": an interpolated variable rendered as null/empty");
            }
            // and every example stands whole on its own line (picocli wraps a footer line wider than the help)
            for (String line : commandLine.getCommandSpec().usageMessage().footer()) {
                if (line.length() > commandLine.getUsageHelpWidth()) {
                    problems.add(name + ": wrapped mid-line: " + line);
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theConfigHelpNamesTheSubstitutionItDoes() {
        // When
        int exit = run("worker", "--help");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("${ENV} and ${ENV:-default} are substituted");
    }

    @Test
    void everyCommandPrintsTheVersion() {
        // Given every subcommand
        CommandLine root = Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err));
        List<String> silent = new ArrayList<>();
        forEachCommand(root, commandLine -> {
            if (commandLine.getCommandSpec().mixinStandardHelpOptions()) {
                // When -V is asked for
                StringWriter version = new StringWriter();
                commandLine.printVersionHelp(new PrintWriter(version, true));

                // Then it prints a version
                if (version.toString().isBlank()) {
                    silent.add(commandLine.getCommandSpec().qualifiedName());
                }
            }
        });
        assertThat(silent).isEmpty();
    }

    @Test
    void noCommandPrintsTheListOfCommands() {
        // When
        int exit = run();

        // Then the usage error is followed by the list it points to
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString())
                .contains("a command is required")
                .contains("worker")
                .contains("dlq-service");
    }

    @Test
    void aBadFlagValueIsAUsageErrorNamingTheFlagBeforeAnythingConnects() {
        // When (nothing listens at the bootstrap address: the value is checked first)
        int exit = run(
                "publish", "--queue", "jobs", "--type", "log", "--delay", "30x", "--bootstrap-servers", "127.0.0.1:1");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).startsWith("jobstream: --delay: ");
    }

    @Test
    void everyFlagThatTakesASecretSaysSoInItsHelp() {
        // Given every option of every command whose value can be a secret
        List<String> silent = new ArrayList<>();
        forEachCommand(Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err)), commandLine -> {
            for (CommandLine.Model.OptionSpec option :
                    commandLine.getCommandSpec().options()) {
                boolean secret = option.longestName().matches("--(.*token.*|.*webhook.*|.*password.*|redis-uri)");
                // Then its help says it is a secret
                if (secret && !String.join(" ", option.description()).contains("secret")) {
                    silent.add(commandLine.getCommandSpec().qualifiedName() + " " + option.longestName());
                }
            }
        });
        assertThat(silent).isEmpty();
    }

    @Test
    void kafkasOwnSpellingOfBootstrapServersIsAccepted() {
        // When
        CommandLine.ParseResult parsed = Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err))
                .parseArgs("lag", "--bootstrap-server", "127.0.0.1:1", "--queue", "jobs");

        // Then
        assertThat(parsed.subcommand().matchedOptionValue("--bootstrap-servers", ""))
                .isEqualTo("127.0.0.1:1");
    }

    @Test
    void everyCommandThatPrintsDataOffersJson() {
        // Given the commands whose output a script reads (the services print a banner, not data; `dlq show` always
        // prints JSON; help and completion print text for people and shells)
        List<String> printsData = List.of("publish", "dlq list", "dlq replay", "lag", "jobs get", "topics create");
        CommandLine root = Jobstream.commandLine(new PrintWriter(out), new PrintWriter(err));
        List<String> withJson = new ArrayList<>();
        forEachCommand(root, commandLine -> {
            if (commandLine.getCommandSpec().findOption("--json") != null) {
                withJson.add(commandLine.getCommandSpec().qualifiedName().replaceFirst("^jobstream ", ""));
            }
        });

        // Then each of them takes --json
        assertThat(withJson).containsAll(printsData);
    }

    @Test
    void aCompletionScriptIsGenerated() {
        // When
        int exit = run("generate-completion");

        // Then a bash completion script for the whole command tree comes out
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("complete -F").contains("dlq-service");
    }

    private static void forEachCommand(CommandLine commandLine, java.util.function.Consumer<CommandLine> action) {
        action.accept(commandLine);
        commandLine.getSubcommands().values().stream().distinct().forEach(sub -> forEachCommand(sub, action));
    }
}
