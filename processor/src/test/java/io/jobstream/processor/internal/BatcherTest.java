package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.processor.BatchHandler;
import io.jobstream.processor.BatchResult;
import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.Outcome.Abandoned;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Failed;
import io.jobstream.processor.internal.Outcome.Succeeded;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A batch item's payload. */
    record Doc(String title) {}

    private final RunnerFixture kafka = new RunnerFixture(true);
    private final EventSender events = kafka.events(EventLevel.NONE);
    private final FailureRecords failures = kafka.failures(events);
    private final HandlerInvocation invocation = kafka.invocation(run -> new Failed(FailureReason.TIMEOUT, true));
    /** The titles of every batch handed over, in order. */
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        kafka.abandonment.abandon();
        invocation.close();
        failures.close();
        events.close();
    }

    private Batcher<Doc> batcher(int maxBatchSize, Duration maxWait, BatchHandler<Doc> handler) {
        BatchHandler<Doc> recording = items -> {
            batches.add(items.stream().map(item -> item.payload().title()).toList());
            return handler.handle(items);
        };
        return new Batcher<>(
                new BatchRegistration<>(
                        "index", PayloadReader.of(Doc.class, new JsonMapper()), maxBatchSize, maxWait, recording),
                RunnerFixture.config().build(),
                invocation,
                events,
                failures,
                kafka.abandonment,
                kafka.clock,
                kafka.metrics);
    }

    /** Adds the job at {@code offset} with {@code payload}, holding {@code slot} (or null); its record. */
    private Work add(Batcher<Doc> batcher, long offset, String payload, Semaphore slot) {
        Job job = RunnerFixture.job("index")
                .setId("doc-" + offset)
                .setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .build();
        Work work = kafka.work(offset, job);
        batcher.add(work, job, kafka.done, slot);
        return work;
    }

    private Outcome outcomeOf(Work work) {
        return kafka.completions.stream()
                .filter(completion -> completion.work() == work)
                .map(Completion::outcome)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aFullBatchIsHandedOverAtOnceAndEachItemIsAcknowledgedOnItsOwn() {
        // Given batches of two that would otherwise wait an hour, and a handler that fails the second item
        IllegalStateException busy = new IllegalStateException("busy");
        Batcher<Doc> batcher = batcher(2, Duration.ofHours(1), items -> BatchResult.builder()
                .fail(items.get(1), busy)
                .build());

        // When two jobs are added
        Work first = add(batcher, 1, "{\"title\":\"a\"}", null);
        Work second = add(batcher, 2, "{\"title\":\"b\"}", null);

        // Then one batch of both ran at once: the first item succeeded, the second failed on its own
        await().atMost(WAIT).until(() -> kafka.completions.size() == 2);
        assertThat(batches).containsExactly(List.of("a", "b"));
        assertThat(outcomeOf(first)).isEqualTo(new Succeeded());
        assertThat(outcomeOf(second)).isEqualTo(new Failed(FailureReason.HANDLER_ERROR, true));
        assertThat(kafka.failure(kafka.sent("jobs.failed").getFirst()).getMessage())
                .isEqualTo("busy");
        assertThat(kafka.registry
                        .get(ProcessorMeters.BATCH_SIZE.spec().name())
                        .summary()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aBatchThatIsNotFullIsHandedOverOnceItsMaxWaitPassed() {
        // Given batches of ten, flushed 20 ms after their first job
        Batcher<Doc> batcher = batcher(10, Duration.ofMillis(20), items -> BatchResult.allSucceeded());

        // When one job is added, then it runs alone once the wait passed
        Work only = add(batcher, 1, "{\"title\":\"a\"}", null);
        await().atMost(WAIT).until(() -> kafka.completions.size() == 1);
        assertThat(batches).containsExactly(List.of("a"));
        assertThat(outcomeOf(only)).isEqualTo(new Succeeded());
    }

    @Test
    void anItemWhosePayloadCannotBeReadFailsAloneAndIsLeftOutOfTheBatch() {
        // Given a full batch whose second payload is not JSON
        Batcher<Doc> batcher = batcher(2, Duration.ofHours(1), items -> BatchResult.allSucceeded());

        // When both are added
        Work good = add(batcher, 1, "{\"title\":\"a\"}", null);
        Work bad = add(batcher, 2, "not json", null);

        // Then the batch held only the readable one, and the other failed for good
        await().atMost(WAIT).until(() -> kafka.completions.size() == 2);
        assertThat(batches).containsExactly(List.of("a"));
        assertThat(outcomeOf(good)).isEqualTo(new Succeeded());
        assertThat(outcomeOf(bad)).isEqualTo(new Failed(FailureReason.HANDLER_ERROR, false));
    }

    @Test
    void givingUpEndsTheJobsWaitingForTheirBatchAndGivesTheirSlotsBack() {
        // Given a job waiting (holding its type's slot) for a batch that would wait an hour
        Batcher<Doc> batcher = batcher(10, Duration.ofHours(1), items -> BatchResult.allSucceeded());
        Semaphore slot = new Semaphore(0);
        Work waiting = add(batcher, 1, "{\"title\":\"a\"}", slot);

        // When the runner gives up
        batcher.abandon();

        // Then the job is abandoned and its slot free, and no batch ran
        assertThat(outcomeOf(waiting)).isInstanceOf(Abandoned.class);
        assertThat(slot.availablePermits()).isEqualTo(1);
        assertThat(batches).isEmpty();
    }
}
