package io.jobstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.bench.Bench.Options;
import io.jobstream.bench.Bench.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the harness working: CI-sized runs of the scenarios, each against its own broker, asserting that both sides
 * ran to the end and counted every job — never a speed.
 */
class BenchSmokeIT {
    private static final long RECORDS = 20_000;

    @Test
    void drainCountsEveryJobOnBothSides() throws Exception {
        // Given a CI-sized drain
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // When the harness runs it
        List<Result> results = Bench.run(
                Options.parse("drain", "--records", Long.toString(RECORDS), "--repeat", "1", "--json"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // Then key and unordered modes and ConsumerPerformance each counted every job, and one JSON line per result
        assertThat(results).extracting(Result::scenario).containsExactly("drain-key", "drain-unordered");
        for (Result result : results) {
            assertThat(result.jobstreamCounted()).containsExactly(RECORDS);
            assertThat(result.referenceCounted()).containsExactly(RECORDS);
            assertThat(result.ratio()).isPositive();
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("{\"scenario\":\"drain-")
                .contains("\"jobstream\":", "\"reference\":", "\"ratio\":", "\"unit\":\"records/s\""));
    }

    @Test
    void publishCountsEveryJobOnBothSides() throws Exception {
        // Given a CI-sized publish
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // When the harness runs it
        List<Result> results = Bench.run(
                Options.parse("publish", "--records", Long.toString(RECORDS), "--repeat", "1"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // Then JobPublisher and ProducerPerformance each had every record acknowledged, and the text report says so
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.scenario()).isEqualTo("publish");
            assertThat(result.jobstreamCounted()).containsExactly(RECORDS);
            assertThat(result.referenceCounted()).containsExactly(RECORDS);
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("publish", "ratio", "ProducerPerformance");
    }

    @Test
    void rejectsUnknownScenariosAndOptions() {
        // Given bad command lines, when parsed, then the error names the problem
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("latency"))
                .withMessageContaining("scenario must be one of");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("drain", "--repeat", "0"))
                .withMessageContaining("--repeat");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("drain", "--fast"))
                .withMessageContaining("unknown option '--fast'");
    }
}
