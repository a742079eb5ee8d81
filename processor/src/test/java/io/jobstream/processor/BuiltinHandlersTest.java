package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.JobFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuiltinHandlersTest {
    private final MockKafka kafka = new MockKafka(true);
    private JobProcessor processor;

    @AfterEach
    void close() {
        if (processor != null) {
            processor.close(Duration.ofSeconds(5));
        }
    }

    private void start(JobProcessor.Builder builder) {
        processor = builder.build().start();
        kafka.assign(partition(0));
    }

    @Test
    void noopSleepAndLogSucceed() {
        // Given every built-in under its own name
        start(BuiltinHandlers.registerAll(kafka.builder(MockKafka.config().build())));

        // When one job of each succeeding kind arrives
        kafka.addJob(partition(0), "a", "noop", "{}");
        kafka.addJob(partition(0), "b", "sleep", "{\"ms\":5}");
        kafka.addJob(partition(0), "c", "log", "{\"hello\":\"world\"}");

        // Then all finish without a failure record
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(kafka.failures()).isEmpty();
    }

    @Test
    void failFailsTheFirstAttemptsAsAskedThenSucceeds() {
        // Given the fail handler registered for type "flaky"
        start(BuiltinHandlers.register(kafka.builder(MockKafka.config().build()), "flaky", "fail"));

        // When attempts 1, 2 and 3 of a job asking to fail twice arrive, and one that always fails
        for (int attempt = 1; attempt <= 3; attempt++) {
            kafka.add(
                    partition(0),
                    "k".getBytes(),
                    kafka.encode(MockKafka.job("k", "flaky", "{\"times\":2}")
                            .setAttempt(attempt)
                            .build()));
        }
        kafka.addJob(partition(0), "z", "flaky", "{\"always\":true,\"nonRetryable\":true}");

        // Then attempts 1 and 2 failed (retryable), attempt 3 succeeded, and "always" failed non-retryably
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.committed(partition(0)) == 4);
        List<JobFailure> failures = kafka.failures().stream()
                .sorted(java.util.Comparator.comparingLong(JobFailure::getSourceOffset))
                .toList();
        assertThat(failures).hasSize(3);
        assertThat(failures).allSatisfy(f -> assertThat(f.getReason()).isEqualTo(FailureReason.HANDLER_ERROR));
        assertThat(failures.subList(0, 2))
                .allSatisfy(f -> assertThat(f.getRetryable()).isTrue());
        assertThat(failures.get(2).getRetryable()).isFalse();
        assertThat(failures.get(0).getMessage()).contains("fails attempt 1");
    }

    @Test
    void unknownBuiltinNamesTheBuiltins() {
        assertThatThrownBy(() -> BuiltinHandlers.register(
                        kafka.builder(MockKafka.config().build()), "x", "explode"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noop, sleep, fail, log");
    }
}
