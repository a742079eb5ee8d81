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
    void retryRoutesEveryFailureAndDeliversEveryDelayedJobNeverEarly() throws Exception {
        // Given a CI-sized retry run: 20,000 failures, and 1,000 delayed jobs
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // When the harness runs it (a delayed job arriving early fails the run)
        List<Result> results = Bench.run(
                Options.parse("retry", "--records", Long.toString(RECORDS), "--repeat", "1", "--json"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // Then the router committed every failure, ConsumerPerformance read every one, every delayed job arrived
        assertThat(results)
                .extracting(Result::scenario)
                .containsExactly("retry-router", "delay-lateness-p99", "delay-lateness-max");
        assertThat(results.get(0).jobstreamCounted()).containsExactly(RECORDS);
        assertThat(results.get(0).referenceCounted()).containsExactly(RECORDS);
        assertThat(results.get(0).unit()).isEqualTo("failures/s");
        for (Result lateness : results.subList(1, 3)) {
            assertThat(lateness.jobstreamCounted()).containsExactly(RetryScenario.delayedJobs(RECORDS));
            assertThat(lateness.jobstream()).allSatisfy(ms -> assertThat(ms).isNotNegative());
            assertThat(lateness.unit()).isEqualTo("ms");
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3);
    }

    @Test
    void latencyRecordsEveryJobAtEveryRateOnBothSides() throws Exception {
        // Given a CI-sized latency run
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // When the harness runs it
        List<Result> results = Bench.run(
                Options.parse("latency", "--records", Long.toString(RECORDS), "--repeat", "1", "--json"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // Then p50, p99 and p99.9 are reported per rate, from every job published at that rate, on both sides
        assertThat(results)
                .extracting(Result::scenario)
                .containsExactly(
                        "latency-1k-p50",
                        "latency-1k-p99",
                        "latency-1k-p99.9",
                        "latency-10k-p50",
                        "latency-10k-p99",
                        "latency-10k-p99.9",
                        "latency-50k-p50",
                        "latency-50k-p99",
                        "latency-50k-p99.9");
        for (Result result : results) {
            int rate = Integer.parseInt(result.scenario().split("-")[1].replace("k", "")) * 1_000;
            assertThat(result.jobstreamCounted()).containsExactly(LatencyScenario.jobsAt(rate, RECORDS));
            assertThat(result.referenceCounted()).containsExactly(LatencyScenario.jobsAt(rate, RECORDS));
            assertThat(result.unit()).isEqualTo("ms");
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(9);
    }

    @Test
    void coordinationCountsEveryRoundTripOnBothSides() throws Exception {
        // Given a CI-sized coordination run (its own redis-server, no broker)
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // When the harness runs it
        List<Result> results = Bench.run(
                Options.parse("coordination", "--records", Long.toString(RECORDS), "--repeat", "1", "--json"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        // Then locks, permits and rate-limiter calls each completed every operation, and so did redis-benchmark
        assertThat(results)
                .extracting(Result::scenario)
                .containsExactly("coordination-lock", "coordination-semaphore", "coordination-rate-limit");
        for (Result result : results) {
            assertThat(result.jobstreamCounted()).containsExactly(RECORDS);
            assertThat(result.referenceCounted()).containsExactly(RECORDS);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3);
    }

    @Test
    void rejectsUnknownScenariosAndOptions() {
        // Given bad command lines, when parsed, then the error names the problem
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("fastest"))
                .withMessageContaining("scenario must be one of");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("drain", "--repeat", "0"))
                .withMessageContaining("--repeat");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> Options.parse("drain", "--fast"))
                .withMessageContaining("unknown option '--fast'");
    }
}
