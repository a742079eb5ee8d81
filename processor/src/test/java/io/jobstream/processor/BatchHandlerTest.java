package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.JobFailure;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchHandlerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Long enough never to flush a batch within a test: only size flushes it. */
    private static final Duration NEVER = Duration.ofHours(1);

    record Email(String to, int seq) {}

    private final List<JobProcessor> processors = new ArrayList<>();
    /** Lets a handler that ignores interrupts return; opened after each test at the latest. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void closeProcessors() {
        release.countDown();
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
    }

    private JobProcessor started(JobProcessor processor) {
        processors.add(processor);
        return processor.start();
    }

    private static String email(String to, int seq) {
        return "{\"to\":\"" + to + "\",\"seq\":" + seq + "}";
    }

    private static DistributionSummary batchSizes(JobProcessor processor, String type) {
        return processor
                .meterRegistry()
                .get("jobstream.batch.size")
                .tags("queue", MockKafka.QUEUE, "type", type)
                .summary();
    }

    private static double count(JobProcessor processor, String name, String type) {
        return processor.meterRegistry().find(name).tag("type", type).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void fillsBatchesToTheirSizeAndFlushesThem() {
        // Given a batch type of size 5 whose batches never flush on time
        MockKafka kafka = new MockKafka(true);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handleBatch("send_email", Email.class, 5, NEVER, items -> {
                    sizes.add(items.size());
                    return BatchResult.allSucceeded();
                })
                .build());
        kafka.assign(partition(0));

        // When 10 jobs of distinct keys arrive
        for (int seq = 0; seq < 10; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("x@example.com", seq));
        }

        // Then they ran as two full batches, each job completed, and the commit reached the end
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 10);
        assertThat(sizes).containsExactly(5, 5);
        assertThat(count(processor, "jobstream.jobs.completed", "send_email")).isEqualTo(10);
        assertThat(batchSizes(processor, "send_email").count()).isEqualTo(2);
        assertThat(batchSizes(processor, "send_email").totalAmount()).isEqualTo(10);
        assertThat(kafka.failures()).isEmpty();
    }

    @Test
    void flushesAPartialBatchOnceMaxWaitPassed() {
        // Given a batch type of size 100 that flushes 20 ms after its first job
        MockKafka kafka = new MockKafka(true);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config().build())
                .handleBatch("send_email", Email.class, 100, Duration.ofMillis(20), items -> {
                    sizes.add(items.size());
                    items.forEach(item -> seen.add(item.payload().seq()));
                    return BatchResult.allSucceeded();
                })
                .build());
        kafka.assign(partition(0));

        // When only 3 jobs arrive
        for (int seq = 0; seq < 3; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("x@example.com", seq));
        }

        // Then they ran in partial batches and were committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, 3));
    }

    @Test
    void failsOnlyTheItemsTheResultNamesAndCommitsPastAll() {
        // Given a batch handler that fails seq 1 (never retried) and seq 2 (retryable)
        MockKafka kafka = new MockKafka(true);
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handleBatch("send_email", Email.class, 4, NEVER, items -> {
                    BatchResult.Builder result = BatchResult.builder();
                    for (BatchItem<Email> item : items) {
                        if (item.payload().seq() == 1) {
                            result.fail(
                                    item,
                                    new NonRetryableException(
                                            "bad address " + item.payload().to()));
                        } else if (item.payload().seq() == 2) {
                            result.fail(item, new IllegalStateException("mail server busy"));
                        }
                    }
                    return result.build();
                })
                .build());
        kafka.assign(partition(0));

        // When a batch of 4 runs
        for (int seq = 0; seq < 4; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("u" + seq + "@example.com", seq));
        }

        // Then the two failed items are in .failed with HANDLER_ERROR, the others completed, all committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 4);
        List<JobFailure> failures = kafka.failures();
        assertThat(failures).hasSize(2);
        assertThat(failures).allSatisfy(f -> assertThat(f.getReason()).isEqualTo(FailureReason.HANDLER_ERROR));
        Map<Long, Boolean> retryableByOffset = new ConcurrentHashMap<>();
        failures.forEach(f -> retryableByOffset.put(f.getSourceOffset(), f.getRetryable()));
        assertThat(retryableByOffset).containsExactlyInAnyOrderEntriesOf(Map.of(1L, false, 2L, true));
        assertThat(count(processor, "jobstream.jobs.completed", "send_email")).isEqualTo(2);
        assertThat(count(processor, "jobstream.jobs.failed", "send_email")).isEqualTo(2);
    }

    @Test
    void aThrowingBatchHandlerFailsEveryItemOfItsBatch() {
        // Given a batch handler that throws
        MockKafka kafka = new MockKafka(true);
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handleBatch("send_email", 3, NEVER, items -> {
                    throw new IllegalStateException("bulk endpoint down");
                })
                .build());
        kafka.assign(partition(0));

        // When a batch of 3 runs
        for (int seq = 0; seq < 3; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("x@example.com", seq));
        }

        // Then every item failed, retryably, with the batch's error, and the commit moved past all three
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        List<JobFailure> failures = kafka.failures();
        assertThat(failures).hasSize(3).allSatisfy(f -> {
            assertThat(f.getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getMessage()).isEqualTo("bulk endpoint down");
        });
        assertThat(failures.stream().map(JobFailure::getSourceOffset)).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(count(processor, "jobstream.jobs.failed", "send_email")).isEqualTo(3);
        assertThat(count(processor, "jobstream.jobs.completed", "send_email")).isZero();
    }

    @Test
    void keyModeNeverPutsTwoJobsOfOneKeyInOneBatchAndKeepsKeyOrder() {
        // Given key mode and batches of up to 10
        MockKafka kafka = new MockKafka(true);
        List<List<String>> batchKeys = new CopyOnWriteArrayList<>();
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        started(kafka.builder(MockKafka.config().build())
                .handleBatch("send_email", Email.class, 10, Duration.ofMillis(5), items -> {
                    List<String> keys = new ArrayList<>();
                    for (BatchItem<Email> item : items) {
                        String key = item.context().orderingKey().orElseThrow();
                        keys.add(key);
                        seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(item.payload().seq());
                    }
                    batchKeys.add(keys);
                    return BatchResult.allSucceeded();
                })
                .build());
        kafka.assign(partition(0));

        // When 3 keys with 10 jobs each arrive interleaved
        for (int seq = 0; seq < 10; seq++) {
            for (String key : List.of("a", "b", "c")) {
                kafka.addJob(partition(0), key, "send_email", email(key + "@example.com", seq));
            }
        }

        // Then no batch held a key twice, every key ran in order, and everything was committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 30);
        assertThat(batchKeys).allSatisfy(keys -> assertThat(new HashSet<>(keys)).hasSameSizeAs(keys));
        List<Integer> expected = java.util.stream.IntStream.range(0, 10).boxed().toList();
        assertThat(seen).containsOnlyKeys("a", "b", "c");
        seen.values().forEach(order -> assertThat(order).containsExactlyElementsOf(expected));
    }

    @Test
    void aBatchThatIgnoresItsInterruptKeepsItsKeysLaneUntilItReallyReturns() {
        // Given a job of a batch type that times out and ignores its interrupt, and the next job of its key
        MockKafka kafka = new MockKafka(true);
        List<String> seen = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .typeTimeout("bulk", Duration.ofMillis(200))
                        .build())
                .handleBatch("bulk", 1, NEVER, items -> {
                    seen.add("bulk-started");
                    boolean released = false;
                    while (!released) {
                        try {
                            released = release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException ignored) {
                            // a batch handler that does not stop when interrupted
                        }
                    }
                    seen.add("bulk-returned");
                    return BatchResult.allSucceeded();
                })
                .handle("next", (ctx, bytes) -> seen.add("next-started"))
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "k", "bulk", "{}");
        kafka.addJob(partition(0), "k", "next", "{}");

        // When the batch's timeout decided its item (TIMEOUT written, offset finished), and only later it returns
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) >= 1);
        assertThat(kafka.failures()).extracting(JobFailure::getReason).containsExactly(FailureReason.TIMEOUT);
        release.countDown();

        // Then the next job of the key started only after the batch handler returned
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(seen).containsExactly("bulk-started", "bulk-returned", "next-started");
    }

    @Test
    void aBatchPastItsTypeTimeoutFailsEveryItemWithTimeout() {
        // Given a batch handler that blocks until interrupted, and a 100 ms timeout for its type
        MockKafka kafka = new MockKafka(true);
        AtomicInteger interrupted = new AtomicInteger();
        List<Boolean> cancelled = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .typeTimeout("send_email", Duration.ofMillis(100))
                        .build())
                .handleBatch("send_email", Email.class, 2, NEVER, items -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        items.forEach(item -> cancelled.add(item.context().isCancelled()));
                    }
                    return BatchResult.allSucceeded();
                })
                .build());
        kafka.assign(partition(0));

        // When a batch of 2 runs
        kafka.addJob(partition(0), "a", "send_email", email("x@example.com", 0));
        kafka.addJob(partition(0), "b", "send_email", email("x@example.com", 1));

        // Then both items failed with TIMEOUT (the late return is ignored), and both were committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(kafka.failures()).hasSize(2).allSatisfy(f -> assertThat(f.getReason())
                .isEqualTo(FailureReason.TIMEOUT));
        await().atMost(WAIT).until(() -> interrupted.get() == 1);
        assertThat(cancelled).containsOnly(true);
    }

    @Test
    void rejectsABatchHandlerForATypeThatHasAHandlerAndBadBatchSettings() {
        JobProcessor.Builder builder =
                new MockKafka(true).builder(MockKafka.config().build()).handle("send_email", (ctx, bytes) -> {});

        assertThatThrownBy(() -> builder.handleBatch(
                        "send_email", 10, Duration.ofMillis(5), items -> BatchResult.allSucceeded()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("send_email");
        assertThatThrownBy(() ->
                        builder.handleBatch("other", 0, Duration.ofMillis(5), items -> BatchResult.allSucceeded()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() ->
                        builder.handleBatch("other", 1, Duration.ofMillis(-1), items -> BatchResult.allSucceeded()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWait");
        builder.handleBatch("bulk", 10, Duration.ofMillis(5), items -> BatchResult.allSucceeded());
        assertThat(builder.handledTypes()).containsExactlyInAnyOrder("send_email", "bulk");
        assertThatThrownBy(() -> builder.handle("bulk", (ctx, bytes) -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bulk");
    }
}
