package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JobstreamCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void helpListsTheCommandsWithExamples() {
        // When
        int exit = run("--help");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("worker", "topics", "Examples:", "./jobstream dev");
    }

    @Test
    void unknownOptionIsAUsageErrorOnOneLine() {
        // When
        int exit = run("worker", "--no-such-option");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString().lines()).first().asString().startsWith("jobstream: Unknown option");
        assertThat(err.toString()).contains("Try 'jobstream worker --help'");
    }

    @Test
    void theServiceJarSaysWhereDevAndBenchLiveInsteadOfUnmatchedArgument() {
        for (String command : new String[] {"dev", "bench"}) {
            // Given the service command line (no ExtensionCommand on the class path of cli's tests)
            err.getBuffer().setLength(0);

            // When a newcomer runs a development command against it, as in the image
            int exit = run(command, "--demo");

            // Then a usage error that names the command and the way to run it
            assertThat(exit).isEqualTo(Jobstream.USAGE);
            assertThat(err.toString().lines())
                    .first()
                    .asString()
                    .contains("'" + command + "' is not in this jar", "./jobstream " + command)
                    .doesNotContain("Unmatched");
        }
    }

    @Test
    void missingCommandIsAUsageError() {
        // When
        int exit = run();

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("a command is required");
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        // When
        int exit = run("topics", "create");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("--queue");
    }

    @Test
    void publishingAHostileTypeKeyOrDelayIsAUsageErrorNamingTheFlagBeforeConnecting() {
        // Given brokers that are not there (a check after connecting would fail on them instead)
        String nowhere = "127.0.0.1:1";
        for (String[] hostile : new String[][] {
            {"--type", "t".repeat(1_000_000)},
            {"--type", "send\r\nemail"},
            {"--key", "k".repeat(10_000)},
            {"--delay", "100000000000h"}
        }) {
            StringWriter commandErr = new StringWriter();
            java.util.List<String> args = new java.util.ArrayList<>(
                    java.util.List.of("publish", "--bootstrap-servers", nowhere, "--queue", "jobs"));
            if (!hostile[0].equals("--type")) {
                args.addAll(java.util.List.of("--type", "send_email"));
            }
            args.addAll(java.util.List.of(hostile));

            // When it is published
            int exit = Jobstream.run(
                    new PrintWriter(new StringWriter(), true),
                    new PrintWriter(commandErr, true),
                    args.toArray(String[]::new));

            // Then it is a usage error naming the flag, short, on the first line
            assertThat(exit).as(hostile[0]).isEqualTo(Jobstream.USAGE);
            String first = commandErr.toString().lines().findFirst().orElseThrow();
            assertThat(first).as(hostile[0]).startsWith("jobstream: " + hostile[0] + ": ");
            assertThat(first.length()).as(hostile[0]).isLessThan(500);
            assertThat(commandErr.toString()).doesNotContain("Exception", nowhere);
        }
    }

    @Test
    void missingBootstrapServersIsARuntimeFailureNamingTheKeyAndEnvVar() {
        // Given no --bootstrap-servers and no config file (the test JVM has no JOBSTREAM_* env vars)

        // When
        int exit = run("topics", "create", "--queue", "emails");

        // Then
        assertThat(exit).isEqualTo(Jobstream.FAILURE);
        assertThat(err.toString()).startsWith("jobstream: ").contains("jobstream.kafka.bootstrap-servers");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void unreachableBrokersFailOneShotCommandsOnOneLineNamingThem() {
        // Given a bootstrap address where nothing listens
        String nowhere = "127.0.0.1:1";

        for (String[] command : new String[][] {
            {"lag", "--samples", "1"}, {"dlq", "list", "--queue", "jobs"}, {"topics", "create", "--queue", "jobs"}
        }) {
            StringWriter commandOut = new StringWriter();
            StringWriter commandErr = new StringWriter();
            String[] args = java.util.stream.Stream.concat(
                            java.util.Arrays.stream(command),
                            java.util.stream.Stream.of("--bootstrap-servers", nowhere))
                    .toArray(String[]::new);

            // When the command runs
            int exit = Jobstream.run(new PrintWriter(commandOut, true), new PrintWriter(commandErr, true), args);

            // Then it fails (never an empty "success"), on one line naming the brokers
            assertThat(exit).as(String.join(" ", command)).isEqualTo(Jobstream.FAILURE);
            assertThat(commandErr.toString().lines()).hasSize(1);
            assertThat(commandErr.toString())
                    .startsWith("jobstream: Kafka is not reachable")
                    .contains(nowhere);
        }
    }
}
