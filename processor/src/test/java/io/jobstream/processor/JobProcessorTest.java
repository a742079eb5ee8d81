package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobProcessorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Email(String to, int seq) {}

    static final class InvalidAddress extends NonRetryableException {
        private static final long serialVersionUID = 1L;

        InvalidAddress(String message) {
            super(message);
        }
    }

    private final List<JobProcessor> processors = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();

    @AfterEach
    void closeProcessors() {
        gates.forEach(gate -> {
            while (gate.getCount() > 0) {
                gate.countDown();
            }
        });
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
    }

    private JobProcessor started(JobProcessor processor) {
        processors.add(processor);
        return processor.start();
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private static String email(String to, int seq) {
        return "{\"to\":\"" + to + "\",\"seq\":" + seq + "}";
    }

    @Test
    void runsOneJobPerKeyAtATimeInOrderWhileKeysRunConcurrently() {
        // Given key mode, three keys with 20 jobs each, and a barrier only the three keys' first jobs together pass
        MockKafka kafka = new MockKafka(true);
        CyclicBarrier firstOfEachKey = new CyclicBarrier(3);
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        JobProcessor processor = started(kafka.builder(
                        MockKafka.config().concurrency(10).build())
                .handle("send_email", Email.class, (ctx, email) -> {
                    String key = ctx.orderingKey().orElseThrow();
                    if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    if (email.seq() == 0) {
                        firstOfEachKey.await(10, TimeUnit.SECONDS);
                    }
                    seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(email.seq());
                    running.get(key).decrementAndGet();
                })
                .build());
        kafka.assign(partition(0));

        // When the jobs arrive interleaved on one partition
        for (int seq = 0; seq < 20; seq++) {
            for (String key : List.of("a", "b", "c")) {
                kafka.addJob(partition(0), key, "send_email", email(key + "@example.com", seq));
            }
        }

        // Then every key saw its jobs in order, never two at once, and everything was committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 60);
        List<Integer> expected = java.util.stream.IntStream.range(0, 20).boxed().toList();
        assertThat(seen).containsOnlyKeys("a", "b", "c");
        seen.values().forEach(order -> assertThat(order).containsExactlyElementsOf(expected));
        assertThat(overlaps).hasValue(0);
        assertThat(firstOfEachKey.isBroken()).isFalse();
        assertThat(processor.isRunning()).isTrue();
    }

    @Test
    void startsNoJobWhileTheConsumerHasSentItsCoordinatorNoHeartbeatForTheSilenceLimit() {
        // Given a worker whose consumer last sent its group coordinator a heartbeat 20 s ago (limit 15 s): cut off
        MockKafka kafka = new MockKafka(true);
        kafka.consumer.heartbeatSecondsAgo.set(20);
        AtomicInteger ran = new AtomicInteger();
        started(kafka.builder(MockKafka.config().build())
                .handle("send_email", Email.class, (ctx, email) -> ran.incrementAndGet())
                .build());
        kafka.assign(partition(0));

        // When three jobs are fetched
        for (int seq = 0; seq < 3; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("x@example.com", seq));
        }
        await().atMost(WAIT).until(() -> kafka.consumer.position(partition(0)) == 3);

        // Then none starts while no heartbeat goes out
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> ran.get() == 0);

        // When one goes out, then still none starts before it is answered (the answer may be "fenced")
        kafka.consumer.heartbeatSecondsAgo.set(0);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> ran.get() == 0);

        // When it is answered, then they run and are committed
        kafka.consumer.heartbeatAnswers.incrementAndGet();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(ran).hasValue(3);
    }

    @Test
    void aZeroHeartbeatSilenceLimitNeverHoldsJobs() {
        // Given no limit, and a consumer that has sent no heartbeat for long
        MockKafka kafka = new MockKafka(true);
        kafka.consumer.heartbeatSecondsAgo.set(1_000);
        AtomicInteger ran = new AtomicInteger();
        started(kafka.builder(
                        MockKafka.config().heartbeatSilenceLimit(Duration.ZERO).build())
                .handle("send_email", Email.class, (ctx, email) -> ran.incrementAndGet())
                .build());
        kafka.assign(partition(0));

        // When a job arrives, then it runs
        kafka.addJob(partition(0), "k", "send_email", email("x@example.com", 0));
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(ran).hasValue(1);
    }

    @Test
    void partitionModeRunsOneJobAtATimePerPartition() {
        // Given partition mode and jobs of many keys on one partition
        MockKafka kafka = new MockKafka(true);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .ordering(OrderingMode.PARTITION)
                        .concurrency(10)
                        .build())
                .handle("send_email", Email.class, (ctx, email) -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    order.add(email.seq());
                    running.decrementAndGet();
                })
                .build());
        kafka.assign(partition(0));

        // When 30 jobs with distinct keys arrive
        for (int seq = 0; seq < 30; seq++) {
            kafka.addJob(partition(0), "k" + seq, "send_email", email("x@example.com", seq));
        }

        // Then they ran one at a time in offset order
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 30);
        assertThat(maxRunning).hasValue(1);
        assertThat(order).isSorted().hasSize(30);
    }

    @Test
    void unorderedModeRunsJobsOfOneKeyConcurrently() {
        // Given unordered mode and three jobs of one key that only finish together
        MockKafka kafka = new MockKafka(true);
        CyclicBarrier together = new CyclicBarrier(3);
        started(kafka.builder(
                        MockKafka.config().ordering(OrderingMode.UNORDERED).build())
                .handle("send_email", Email.class, (ctx, email) -> together.await(10, TimeUnit.SECONDS))
                .build());
        kafka.assign(partition(0));

        // When they arrive
        for (int seq = 0; seq < 3; seq++) {
            kafka.addJob(partition(0), "same", "send_email", email("x@example.com", seq));
        }

        // Then all three ran at once (else the barrier would break) and were committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(kafka.failures()).isEmpty();
    }

    @Test
    void commitsOnlyTheContiguousFinishedPrefix() {
        // Given a job at offset 0 that blocks until released, and two later jobs of other keys
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        started(kafka.builder(MockKafka.config().build())
                .handle("send_email", Email.class, (ctx, email) -> {
                    if (email.to().equals("blocked@example.com")) {
                        release.await();
                    }
                })
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "send_email", email("blocked@example.com", 0));
        kafka.addJob(partition(0), "b", "send_email", email("x@example.com", 1));
        kafka.addJob(partition(0), "c", "send_email", email("x@example.com", 2));

        // When a job on another partition finishes and is committed (so commits have run after 1 and 2 finished)
        await().atMost(WAIT).until(() -> kafka.consumer.paused().isEmpty() && kafka.committed(partition(0)) == -1);
        kafka.addJob(partition(1), "d", "send_email", email("x@example.com", 3));
        await().atMost(WAIT).until(() -> kafka.committed(partition(1)) == 1);

        // Then nothing of partition 0 is committed: offset 0 has not finished
        assertThat(kafka.committed(partition(0))).isEqualTo(-1);

        // When it is released, the commit moves past all three
        release.countDown();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
    }

    @Test
    void commitsThePositionPastATransactionMarkerAfterTheLastJob() {
        // Given a partition whose last job was written in a transaction: the job at 0, its commit marker at 1
        MockKafka kafka = new MockKafka(true);
        started(kafka.builder(MockKafka.config().build())
                .handle("send_email", Email.class, (ctx, email) -> {})
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "a", "send_email", email("x@example.com", 0));
        kafka.addInvisible(partition(0), 1);

        // When the job has run, Then the commit reaches the log end (2), past the marker, not the job's offset + 1
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
    }

    @Test
    void commitsThePositionOfAPartitionThatNeverReceivedARecord() {
        // Given a partition holding only an aborted transaction: two aborted records and the abort marker
        MockKafka kafka = new MockKafka(true);
        started(kafka.builder(MockKafka.config().build())
                .handle("send_email", Email.class, (ctx, email) -> {})
                .build());
        kafka.assign(partition(0));

        // When the consumer skips them
        kafka.addInvisible(partition(0), 3);

        // Then the position past them (3) is committed, though no job was ever handed out
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
    }

    @Test
    void aPositionPastAMarkerCommitsNothingPastAnUnfinishedJob() {
        // Given a job at 0 that blocks until released, then a commit marker at 1
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        started(kafka.builder(MockKafka.config().build())
                .handle("send_email", Email.class, (ctx, email) -> release.await())
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "send_email", email("x@example.com", 0));
        kafka.addInvisible(partition(0), 1);

        // When commits run while it blocks (a job of partition 1 gets committed after the marker was skipped)
        await().atMost(WAIT).until(() -> kafka.consumer.position(partition(0)) == 2);
        kafka.addInvisible(partition(1), 1);
        await().atMost(WAIT).until(() -> kafka.committed(partition(1)) == 1);

        // Then nothing of partition 0 is committed
        assertThat(kafka.committed(partition(0))).isEqualTo(-1);

        // When it is released, the commit moves past the job and the marker
        release.countDown();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
    }

    @Test
    void routesEachKindOfBadJobToTheFailedTopicAndKeepsGoing() throws Exception {
        // Given handlers that succeed, throw retryable and non-retryable errors, and hang past their timeout
        MockKafka kafka = new MockKafka(true);
        List<Integer> succeeded = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .typeTimeout("hang", Duration.ofMillis(200))
                        .build())
                .handle("send_email", Email.class, (ctx, email) -> succeeded.add(email.seq()))
                .handle("flaky", (ctx, bytes) -> {
                    throw new IllegalStateException("smtp down");
                })
                .handle("invalid", (ctx, bytes) -> {
                    throw new InvalidAddress("no such mailbox");
                })
                .handle("bad_argument", (ctx, bytes) -> {
                    throw new IllegalArgumentException("bad argument");
                })
                .handle("hang", (ctx, bytes) -> new CountDownLatch(1).await())
                .build());
        kafka.assign(partition(0));
        byte[] garbage = "\u00c3\u0001garbage".getBytes(StandardCharsets.ISO_8859_1);

        // When bad jobs arrive on one partition, each followed by a good one, all with the same key
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), garbage);
        kafka.addJob(partition(0), "k", "send_email", email("x@example.com", 1));
        kafka.addJob(partition(0), "k", "no_such_type", "{}");
        kafka.addJob(partition(0), "k", "send_email", email("x@example.com", 3));
        kafka.add(
                partition(0),
                "k".getBytes(StandardCharsets.UTF_8),
                kafka.encode(MockKafka.job("k", "send_email", email("late@example.com", 4))
                        .setExpiresAt(Instant.now().minusSeconds(60))
                        .build()));
        kafka.addJob(partition(0), "k", "flaky", "{}");
        kafka.addJob(partition(0), "k", "invalid", "{}");
        kafka.addJob(partition(0), "k", "bad_argument", "{}");
        kafka.addJob(partition(0), "k", "send_email", "{\"to\": [\"not\", \"a\", \"string\"]}");
        kafka.addJob(partition(0), "k", "hang", "{}");
        kafka.addJob(partition(0), "k", "send_email", email("x@example.com", 10));

        // Then every good job ran, everything was committed, and each bad one has its failure record
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 11);
        assertThat(succeeded).containsExactly(1, 3, 10);
        List<JobFailure> failures = kafka.failures();
        assertThat(failures)
                .extracting(JobFailure::getSourceOffset, JobFailure::getReason, JobFailure::getRetryable)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, FailureReason.DECODE_ERROR, false),
                        org.assertj.core.groups.Tuple.tuple(2L, FailureReason.UNKNOWN_TYPE, false),
                        org.assertj.core.groups.Tuple.tuple(4L, FailureReason.EXPIRED, false),
                        org.assertj.core.groups.Tuple.tuple(5L, FailureReason.HANDLER_ERROR, true),
                        org.assertj.core.groups.Tuple.tuple(6L, FailureReason.HANDLER_ERROR, false),
                        org.assertj.core.groups.Tuple.tuple(7L, FailureReason.HANDLER_ERROR, false),
                        org.assertj.core.groups.Tuple.tuple(8L, FailureReason.HANDLER_ERROR, false),
                        org.assertj.core.groups.Tuple.tuple(9L, FailureReason.TIMEOUT, true));
        JobFailure decode = failures.get(0);
        assertThat(decode.getJob()).isEmpty();
        assertThat(decode.getRawValue()).hasValue(ByteBuffer.wrap(garbage));
        assertThat(decode.getRawKey()).hasValue(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8)));
        JobFailure flaky = failures.get(3);
        assertThat(flaky.getJob())
                .hasValueSatisfying(job -> assertThat(job.getType()).isEqualTo("flaky"));
        assertThat(flaky.getErrorClass()).hasValue(IllegalStateException.class.getName());
        assertThat(flaky.getMessage()).isEqualTo("smtp down");
        assertThat(flaky.getStackTrace())
                .hasValueSatisfying(trace -> assertThat(trace).contains("smtp down"));
        assertThat(flaky.getWorkerId()).isEqualTo("worker-1");
        assertThat(flaky.getSourceTopic()).isEqualTo(MockKafka.QUEUE);
        assertThat(failures.get(4).getErrorClass()).hasValue(InvalidAddress.class.getName());
        assertThat(failures.get(6).getErrorClass()).hasValue(PayloadDecodeException.class.getName());
        assertThat(failures.get(7).getMessage()).contains("timed out");
        assertThat(kafka.producer.history().get(0).key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsRetryingAFailureWriteAndCommitsOnlyOnceItIsAcknowledged() {
        // Given a producer that acknowledges only when told, and a handler that fails
        MockKafka kafka = new MockKafka(false);
        started(kafka.builder(MockKafka.config().build())
                .handle("flaky", (ctx, bytes) -> {
                    throw new IllegalStateException("boom");
                })
                .handle("ok", (ctx, bytes) -> {})
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "flaky", "{}");

        // When the first write of its failure fails
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new TimeoutException("broker unavailable"));

        // Then it is written again, and while unacknowledged its offset is not committed
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        kafka.addJob(partition(1), "b", "ok", "{}");
        await().atMost(WAIT).until(() -> kafka.committed(partition(1)) == 1);
        assertThat(kafka.committed(partition(0))).isEqualTo(-1);

        // When the broker acknowledges it, the offset is committed
        kafka.producer.completeNext();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
    }

    @Test
    void pausesAPartitionWhosePendingJobsReachTheBoundAndResumesItLater() {
        // Given at most 4 pending jobs per partition, 2 in flight, and handlers blocked
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        AtomicInteger started = new AtomicInteger();
        started(kafka.builder(MockKafka.config()
                        .ordering(OrderingMode.UNORDERED)
                        .concurrency(2)
                        .maxPendingPerPartition(4)
                        .build())
                .handle("slow", (ctx, bytes) -> {
                    started.incrementAndGet();
                    release.await();
                })
                .build());
        kafka.assign(partition(0));

        // When 10 jobs arrive
        for (int i = 0; i < 10; i++) {
            kafka.addJob(partition(0), "k" + i, "slow", "{}");
        }

        // Then the partition is paused and only 2 jobs started
        await().atMost(WAIT).until(() -> kafka.consumer.paused().contains(partition(0)));
        await().atMost(WAIT).until(() -> started.get() == 2);

        // When the handlers are released, it resumes and everything finishes
        release.countDown();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 10);
        await().atMost(WAIT).until(() -> kafka.consumer.paused().isEmpty());
        assertThat(started).hasValue(10);
    }

    @Test
    void limitsJobsOfOneTypeWithoutHoldingBackOtherTypes() {
        // Given at most one "report" job in flight, and two report jobs that wait for an email job
        MockKafka kafka = new MockKafka(true);
        AtomicInteger reports = new AtomicInteger();
        AtomicInteger maxReports = new AtomicInteger();
        CountDownLatch emailRan = new CountDownLatch(1);
        started(kafka.builder(MockKafka.config()
                        .ordering(OrderingMode.UNORDERED)
                        .typeConcurrency("report", 1)
                        .build())
                .handle("report", (ctx, bytes) -> {
                    maxReports.accumulateAndGet(reports.incrementAndGet(), Math::max);
                    emailRan.await(10, TimeUnit.SECONDS);
                    reports.decrementAndGet();
                })
                .handle("send_email", (ctx, bytes) -> emailRan.countDown())
                .build());
        kafka.assign(partition(0));

        // When two reports and then an email arrive
        kafka.addJob(partition(0), "r1", "report", "{}");
        kafka.addJob(partition(0), "r2", "report", "{}");
        kafka.addJob(partition(0), "e", "send_email", "{}");

        // Then the email ran while a report held the type's only slot, and reports never overlapped
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(emailRan.getCount()).isZero();
        assertThat(maxReports).hasValue(1);
    }

    @Test
    void onRevokeCommitsWhatFinishedAndDropsJobsThatHaveNotStarted() {
        // Given a finished job, a blocked job and a job queued behind it on partition 0
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        started(kafka.builder(
                        MockKafka.config().revokeTimeout(Duration.ofMillis(100)).build())
                .handle("send_email", Email.class, (ctx, email) -> {
                    ran.add(email.seq());
                    if (email.seq() == 1) {
                        release.await();
                    }
                })
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "send_email", email("x@example.com", 0));
        kafka.addJob(partition(0), "b", "send_email", email("x@example.com", 1));
        kafka.addJob(partition(0), "b", "send_email", email("x@example.com", 2));
        await().atMost(WAIT).until(() -> ran.containsAll(List.of(0, 1)));

        // When partition 0 is revoked
        kafka.assign(partition(1));

        // Then offset 1 (the first unfinished) is committed, and the queued job never ran
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        release.countDown();
        kafka.addJob(partition(1), "c", "send_email", email("x@example.com", 3));
        await().atMost(WAIT).until(() -> kafka.committed(partition(1)) == 1);
        assertThat(ran).containsExactlyInAnyOrder(0, 1, 3);
        assertThat(kafka.committed(partition(0))).isEqualTo(1);
    }

    @Test
    void aJobThatFailsAfterItsPartitionWasRevokedWritesNoFailureAndNoEvent() throws Exception {
        // Given a job still running on partition 0, with outcome events on
        MockKafka kafka = new MockKafka(true);
        MeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = gate();
        started(kafka.builder(MockKafka.config()
                        .revokeTimeout(Duration.ofMillis(100))
                        .events(EventLevel.OUTCOMES)
                        .build())
                .meterRegistry(registry)
                .handle("send_email", (ctx, bytes) -> {
                    started.countDown();
                    release.await();
                    throw new IllegalStateException("smtp down");
                })
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "send_email", "{}");
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        // When partition 0 is revoked past the revoke timeout, and only then the handler fails
        kafka.assign(partition(1));
        release.countDown();

        // Then the job writes neither its failure nor its FAILED event (another worker runs it again): both dropped
        await().atMost(WAIT).until(() -> !kafka.failures().isEmpty() || droppedWrites(registry) > 0);
        assertThat(kafka.failures()).isEmpty();
        assertThat(kafka.events()).isEmpty();
        assertThat(droppedWrites(registry)).isEqualTo(1);
        assertThat(kafka.committed(partition(0))).isNotEqualTo(1L);
    }

    @Test
    void aJobThatSucceedsAfterItsPartitionWasRevokedWritesNoEvent() throws Exception {
        // Given a job still running on partition 0, with outcome events on
        MockKafka kafka = new MockKafka(true);
        MeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = gate();
        started(kafka.builder(MockKafka.config()
                        .revokeTimeout(Duration.ofMillis(100))
                        .events(EventLevel.OUTCOMES)
                        .build())
                .meterRegistry(registry)
                .handle("send_email", (ctx, bytes) -> {
                    started.countDown();
                    release.await();
                })
                .build());
        kafka.assign(partition(0), partition(1));
        kafka.addJob(partition(0), "a", "send_email", "{}");
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        // When partition 0 is revoked past the revoke timeout, and only then the handler returns
        kafka.assign(partition(1));
        release.countDown();

        // Then no SUCCEEDED event is written for it: dropped and counted
        await().atMost(WAIT).until(() -> !kafka.events().isEmpty() || droppedWrites(registry) > 0);
        assertThat(kafka.events()).isEmpty();
        assertThat(droppedWrites(registry)).isEqualTo(1);
    }

    @Test
    void aHandlerThatIgnoresItsInterruptKeepsItsKeysLaneUntilItReallyExits() {
        // Given two jobs of one ordering key, the first of a type that times out and ignores its interrupt
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        List<String> seen = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .ordering(OrderingMode.KEY)
                        .typeTimeout("stubborn", Duration.ofMillis(200))
                        .build())
                .handle("stubborn", (ctx, bytes) -> {
                    seen.add("stubborn-started");
                    boolean released = false;
                    while (!released) {
                        try {
                            released = release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException ignored) {
                            // a handler that does not stop when interrupted
                        }
                    }
                    seen.add("stubborn-exited");
                })
                .handle("next", (ctx, bytes) -> seen.add("next-started"))
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "k", "stubborn", "{}");
        kafka.addJob(partition(0), "k", "next", "{}");

        // When the first one's timeout decided its outcome (its TIMEOUT failure is written and its offset finished)
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) >= 1);
        assertThat(kafka.failures()).extracting(JobFailure::getReason).containsExactly(FailureReason.TIMEOUT);
        // and only later its handler really exits
        release.countDown();

        // Then the next job of the key started only after that handler exited
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(seen).containsExactly("stubborn-started", "stubborn-exited", "next-started");
    }

    /** {@code jobstream.writes.dropped}, or 0 while it is not registered. */
    private static double droppedWrites(MeterRegistry registry) {
        var counter = registry.find("jobstream.writes.dropped").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void closeDrainsRunningJobsCommitsAndIsIdempotent() throws Exception {
        // Given a running job that finishes when released
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        CountDownLatch started = new CountDownLatch(1);
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handle("send_email", (ctx, bytes) -> {
                    started.countDown();
                    release.await();
                })
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "a", "send_email", "{}");
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        // When close is called, and the job is released while it drains
        Thread closer = Thread.ofVirtual().start(() -> processor.close(Duration.ofSeconds(20)));
        await().atMost(WAIT)
                .until(() ->
                        closer.getState() == Thread.State.WAITING || closer.getState() == Thread.State.TIMED_WAITING);
        release.countDown();
        closer.join();

        // Then the job's offset was committed, the consumer closed, and closing again does nothing
        assertThat(kafka.committed(partition(0))).isEqualTo(1);
        assertThat(kafka.consumer.closed()).isTrue();
        assertThat(processor.isRunning()).isFalse();
        processor.close(Duration.ofSeconds(1));
        assertThat(kafka.producer.closed()).isTrue();
        assertThatThrownBy(processor::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWithAShortDrainDoesNotCommitPastAJobThatDidNotFinish() throws Exception {
        // Given a finished job at offset 0 and a job at offset 1 that never finishes by itself
        MockKafka kafka = new MockKafka(true);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger cancelledSeen = new AtomicInteger();
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handle("ok", (ctx, bytes) -> {})
                .handle("stuck", (ctx, bytes) -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } finally {
                        if (ctx.isCancelled()) {
                            cancelledSeen.incrementAndGet();
                        }
                    }
                })
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "a", "ok", "{}");
        kafka.addJob(partition(0), "b", "stuck", "{}");
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        // When it is closed with a short drain
        processor.close(Duration.ofMillis(200));

        // Then offset 0 is committed, offset 1 is not, and the stuck handler was cancelled and interrupted
        assertThat(kafka.committed(partition(0))).isEqualTo(1);
        await().atMost(WAIT).until(() -> cancelledSeen.get() == 1);
        assertThat(kafka.failures()).isEmpty();
    }

    @Test
    void readsAvroAndRawPayloadsAndGivesHandlersTheJobContext() {
        // Given handlers for an Avro payload (a Job record) and for raw bytes
        MockKafka kafka = new MockKafka(true);
        List<String> seen = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config().build())
                .handle("avro", Job.class, (ctx, inner) -> seen.add("avro:" + inner.getType()))
                .handle(
                        "raw",
                        (ctx, bytes) -> seen.add("raw:" + new String(bytes, StandardCharsets.UTF_8) + ":"
                                + ctx.type() + ":" + ctx.attempt() + ":"
                                + ctx.headers().get("tenant") + ":"
                                + ctx.queue() + ":"
                                + ctx.deadline().isAfter(Instant.now().minusSeconds(1))))
                .build());
        kafka.assign(partition(0));
        Job inner = MockKafka.job("x", "inner_type", "{}").build();
        byte[] avroPayload = JobSerde.forJob(SerdeConfig.singleObject()).encode("any", inner);

        // When one job of each arrives
        kafka.add(
                partition(0),
                null,
                kafka.encode(MockKafka.job("a", "avro", "{}")
                        .setPayload(ByteBuffer.wrap(avroPayload))
                        .setContentType("application/avro")
                        .build()));
        kafka.add(
                partition(0),
                null,
                kafka.encode(MockKafka.job("b", "raw", "hello")
                        .setAttempt(3)
                        .setHeaders(Map.of("tenant", "acme"))
                        .build()));

        // Then each handler got its payload and context
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(seen).containsExactlyInAnyOrder("avro:inner_type", "raw:hello:raw:3:acme:jobs:true");
    }

    @Test
    void countsOutcomesInMetersTaggedByQueueTypeAndReason() {
        // Given a registry and one success and one failure
        MockKafka kafka = new MockKafka(true);
        MeterRegistry registry = new SimpleMeterRegistry();
        started(kafka.builder(MockKafka.config().build())
                .meterRegistry(registry)
                .handle("ok", (ctx, bytes) -> {})
                .handle("bad", (ctx, bytes) -> {
                    throw new IllegalStateException("no");
                })
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "a", "ok", "{}");
        kafka.addJob(partition(0), "b", "bad", "{}");
        kafka.addJob(partition(0), "c", "mystery", "{}");

        // Then the meters count them, with bounded tags
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(registry.get("jobstream.jobs.completed")
                        .tags("queue", "jobs", "type", "ok")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("jobstream.jobs.failed")
                        .tags("queue", "jobs", "type", "bad", "reason", "HANDLER_ERROR")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("jobstream.jobs.failed")
                        .tags("type", "unknown", "reason", "UNKNOWN_TYPE")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("jobstream.job.duration")
                        .tags("type", "ok", "outcome", "succeeded")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("jobstream.jobs.in-flight").gauge().value()).isZero();
        assertThat(registry.get("jobstream.workers.active").gauge().value()).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(registry.get("jobstream.worker.partition.lag")
                        .tags("queue", "jobs", "partition", "0")
                        .gauge()
                        .value())
                .isZero());
        // And every meter the worker registered is in its catalogue, with the catalogue's tags
        assertThat(io.jobstream.runtime.MeterDocs.uncatalogued(registry, java.util.List.of(ProcessorMeters.values())))
                .isEmpty();
    }

    @Test
    void refusesToBuildWithoutHandlersOrWithTwoHandlersForOneType() {
        // Given a builder
        MockKafka kafka = new MockKafka(true);
        JobProcessor.Builder builder = kafka.builder(MockKafka.config().build());

        // Then building without handlers, or registering a type twice, fails
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        builder.handle("a", (ctx, bytes) -> {});
        assertThatThrownBy(() -> builder.handle("a", (ctx, bytes) -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'");
    }

    @Test
    void discoversHandlersListedAsServices() {
        // Given a builder that discovers handlers from the class path
        MockKafka kafka = new MockKafka(true);
        JobProcessor.Builder builder = kafka.builder(MockKafka.config().build())
                .discoverHandlers(getClass().getClassLoader());
        assertThat(builder.handledTypes()).containsExactly("discovered");
        started(builder.build());
        kafka.assign(partition(0));

        // When a job of the discovered type arrives
        Job job = MockKafka.job("a", "discovered", "hello").build();
        kafka.add(partition(0), null, kafka.encode(job));

        // Then the discovered handler runs it
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(TestHandlerProvider.RAN).contains(job.getId() + ":hello");
    }

    @Test
    void refusesToStartWhenTheFailedTopicDoesNotExist() {
        // Given a cluster without <queue>.failed
        MockKafka kafka = new MockKafka(true);
        kafka.consumer.updatePartitions(io.jobstream.schemas.Topics.failed(MockKafka.QUEUE), List.of());

        // When a processor starts
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handle("ok", (ctx, bytes) -> {})
                .build());

        // Then it stops at once, naming the topic and how to create it
        await().atMost(WAIT).until(() -> !processor.isRunning());
        assertThat(processor.failure()).hasValueSatisfying(failure -> assertThat(failure)
                .hasMessageStartingWith("topics [jobs.failed] do not exist")
                .hasMessageContaining("jobstream topics create")
                .hasMessageNotContaining("jobstream.worker.events"));
        assertThat(kafka.consumer.closed()).isTrue();
    }

    @Test
    void stopsAndReportsTheFaultWhenTheConsumerFailsForGood() {
        // Given a running processor that finished one job
        MockKafka kafka = new MockKafka(true);
        JobProcessor processor = started(kafka.builder(MockKafka.config().build())
                .handle("ok", (ctx, bytes) -> {})
                .build());
        kafka.assign(partition(0));
        kafka.addJob(partition(0), "a", "ok", "{}");
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);

        // When the consumer fails with a fault that is not retriable
        kafka.consumer.setPollException(new org.apache.kafka.common.errors.AuthorizationException("denied"));

        // Then the loop stops, reports the fault and closes the consumer
        await().atMost(WAIT).until(() -> !processor.isRunning());
        assertThat(processor.failure())
                .hasValueSatisfying(fault -> assertThat(fault).hasMessage("denied"));
        assertThat(kafka.consumer.closed()).isTrue();
    }

    @Test
    void closingAProcessorThatNeverStartedClosesItsClients() {
        // Given a processor that was built but not started
        MockKafka kafka = new MockKafka(true);
        JobProcessor processor = kafka.builder(MockKafka.config().build())
                .handle("ok", (ctx, bytes) -> {})
                .build();

        // When it is closed (twice)
        processor.close(Duration.ofSeconds(1));
        processor.close(Duration.ofSeconds(1));

        // Then its clients are closed and it cannot be started
        assertThat(kafka.consumer.closed()).isTrue();
        assertThat(kafka.producer.closed()).isTrue();
        assertThat(processor.isRunning()).isFalse();
        assertThatThrownBy(processor::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandlerThatIgnoresItsTimeoutDoesNotHoldItsTypesSlot() {
        // Given one slot for type "stubborn", a 100 ms timeout, and a first job that ignores interrupts
        MockKafka kafka = new MockKafka(true);
        CountDownLatch release = gate();
        List<String> done = new CopyOnWriteArrayList<>();
        started(kafka.builder(MockKafka.config()
                        .ordering(OrderingMode.UNORDERED)
                        .typeConcurrency("stubborn", 1)
                        .typeTimeout("stubborn", Duration.ofMillis(100))
                        .build())
                .handle("stubborn", String.class, (ctx, text) -> {
                    while (text.equals("hang") && release.getCount() > 0) {
                        try {
                            release.await();
                        } catch (InterruptedException ignored) {
                            // this handler ignores interrupts
                        }
                    }
                    done.add(text);
                })
                .build());
        kafka.assign(partition(0));

        // When it hangs, and a second job of the type arrives
        kafka.addJob(partition(0), "a", "stubborn", "hang");
        kafka.addJob(partition(0), "b", "stubborn", "quick");

        // Then the first times out, the second still runs, and both offsets are committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(done).containsExactly("quick");
        assertThat(kafka.failures()).singleElement().satisfies(f -> assertThat(f.getReason())
                .isEqualTo(FailureReason.TIMEOUT));
    }
}
