package io.jobstream.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.cli.Jobstream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The dev jar is the service command line plus {@code dev}, found through {@link io.jobstream.cli.ExtensionCommand}. */
class DevCommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void devJoinsTheCommandLineAndIsListedFirst() {
        // When
        int exit = run("--help");

        // Then dev is there, before the service commands, which are all still there
        assertThat(exit).isZero();
        String help = out.toString();
        assertThat(help).contains("  dev ", "  api ", "  worker ", "  topics ");
        assertThat(help.indexOf("  dev ")).isLessThan(help.indexOf("  api "));
    }

    @Test
    void theReadmesDevCommandHasHelpAndReportsUsageErrorsOnOneLine() throws Exception {
        // Given the README at the repository root (tests run in dev/)
        assertThat(Files.readString(Path.of("..", "README.md"))).contains("./jobstream dev");

        // When / Then
        assertThat(run("dev", "--help")).isZero();
        assertThat(out.toString()).contains("embedded Kafka broker", "Examples:");
        assertThat(run("dev", "--no-such-option")).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString().lines()).first().asString().startsWith("jobstream: Unknown option");
        assertThat(err.toString()).contains("Try 'jobstream dev --help'");
    }
}
