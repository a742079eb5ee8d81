package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code jobstream topics}: its rendered help and the usage errors found before anything connects. */
class TopicsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Jobstream.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void partitionsHelpSaysWhatMovesWhatIsCheckedAndHowToGrowSafely() {
        // When
        int exit = run("topics", "partitions", "--help");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("Usage: jobstream topics partitions")
                .contains("--queue=QUEUE", "--count=N", "--group=GROUP", "--force", "--dry-run", "--json")
                .contains("Adding partitions moves keys")
                .contains("stop the publishers, wait for `jobstream lag --queue Q` to show 0, run this")
                .contains("<queue>.events keeps its")
                .contains("  jobstream topics partitions --queue emails --count 24 --dry-run")
                .contains("Exit codes: 0 grown (or already that size), 1 refused or failed, 2 a usage error");
    }

    @Test
    void createHelpSaysItNeverChangesAnExistingQueue() {
        // When
        int exit = run("topics", "create", "--help");

        // Then
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("never changes the partition count of an existing queue")
                .contains("`jobstream topics partitions`")
                .contains("an existing queue keeps its count.");
    }

    @Test
    void topicsListsBothSubcommands() {
        // When
        int exit = run("topics");

        // Then
        assertThat(exit).isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).contains("a subcommand is required: create or partitions");
    }

    @Test
    void aCountBelowOneOrNoCountIsAUsageErrorBeforeConnecting() {
        // Given brokers that are not there (a check after connecting would fail on them instead)
        String nowhere = "127.0.0.1:1";

        // When / Then
        assertThat(run("topics", "partitions", "--queue", "jobs", "--count", "0", "--bootstrap-servers", nowhere))
                .isEqualTo(Jobstream.USAGE);
        assertThat(err.toString()).startsWith("jobstream: --count: must be at least 1");
        assertThat(run("topics", "partitions", "--queue", "jobs", "--bootstrap-servers", nowhere))
                .isEqualTo(Jobstream.USAGE);
        assertThat(run("topics", "create", "--queue", "jobs", "--partitions", "0", "--bootstrap-servers", nowhere))
                .isEqualTo(Jobstream.USAGE);
    }
}
