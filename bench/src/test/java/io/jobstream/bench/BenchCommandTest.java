package io.jobstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.cli.Jobstream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code jobstream bench}'s argument errors: each is a usage error (exit 2) on one line, before any broker starts. */
class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void helpListsTheScenariosAndExamples() {
        // When
        int exit = run("bench", "--help");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("drain", "publish", "io-bound", "retry", "latency", "coordination", "--records", "--repeat")
                .contains("jobstream bench drain --records 20000 --repeat 1 --json");
    }

    @Test
    void anUnknownScenarioIsAUsageErrorNamingTheScenarios() {
        // When
        int exit = run("bench", "fastest");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString())
                .startsWith(
                        "jobstream: scenario must be one of drain, publish, io-bound, retry, latency, coordination;")
                .contains("got 'fastest'")
                .contains("Try 'jobstream bench --help'");
    }

    @Test
    void aMissingScenarioIsAUsageError() {
        // When
        int exit = run("bench", "--json");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("SCENARIO");
    }

    @Test
    void aRepeatBelowOneIsAUsageError() {
        // When
        int exit = run("bench", "drain", "--repeat", "0");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).startsWith("jobstream: --repeat must be at least 1; got 0");
    }

    @Test
    void recordsMustBeAPositiveWholeNumber() {
        // When
        int zero = run("bench", "drain", "--records", "0");
        int words = run("bench", "drain", "--records", "many");

        // Then
        assertThat(zero).isEqualTo(Jobstream.USAGE);
        assertThat(words).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString())
                .contains("--records must be at least 1; got 0")
                .contains("'many'");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        // When
        int exit = run("bench", "drain", "--fast");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--fast'");
    }
}
