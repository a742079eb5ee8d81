package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobstream.coordination.Claim;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.coordination.IdempotencyGuard;
import io.jobstream.coordination.LeaderElection;
import io.jobstream.coordination.LeadershipListener;
import io.jobstream.coordination.Lock;
import io.jobstream.coordination.Locks;
import io.jobstream.coordination.RateLimiter;
import io.jobstream.coordination.Semaphore;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-type locks, semaphores, rates and idempotency against the in-memory coordination twin and Kafka's fakes. */
class CoordinatedJobsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String DELAY_1S = Topics.delay(MockKafka.QUEUE, Duration.ofSeconds(1));

    private final Coordination coordination = Coordination.inMemory(Clock.systemUTC());
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<JobProcessor> processors = new ArrayList<>();

    @AfterEach
    void close() {
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
        coordination.close();
    }

    private static ProcessorConfig.Builder config() {
        return MockKafka.config().coordinationWait(Duration.ofMillis(50)).deferDelay(Duration.ofSeconds(1));
    }

    private JobProcessor started(JobProcessor.Builder builder) {
        JobProcessor processor = builder.meterRegistry(registry).build();
        processors.add(processor);
        return processor.start();
    }

    private double deferred(String reason) {
        return registry.find("jobstream.jobs.deferred").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void defersAJobWhoseLockIsHeldToTheDelayTierWithItsAttemptUnchanged() {
        // Given the lock of account 42 held elsewhere, and a type locked per account
        Lock elsewhere = coordination
                .locks()
                .tryAcquire(MockKafka.QUEUE + "/acct-42", LEASE, Duration.ZERO)
                .orElseThrow();
        MockKafka kafka = new MockKafka(true);
        AtomicInteger runs = new AtomicInteger();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .lock("charge", KeyTemplate.parse("acct-${payload.accountId}"), LEASE)
                .handle("charge", (ctx, bytes) -> runs.incrementAndGet()));
        kafka.assign(partition(0));

        // When a third attempt of a job of that account arrives
        Job job =
                MockKafka.job("k", "charge", "{\"accountId\":42}").setAttempt(3).build();
        Instant before = Instant.now();
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(job));

        // Then it is not run but re-published to the 1 s tier, due in a second, attempt unchanged, and committed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        Instant after = Instant.now();
        assertThat(runs).hasValue(0);
        List<Job> requeued = kafka.jobsWritten(DELAY_1S);
        assertThat(requeued).singleElement().satisfies(copy -> {
            assertThat(copy.getId()).isEqualTo(job.getId());
            assertThat(copy.getAttempt()).isEqualTo(3);
            assertThat(copy.getNotBefore()).hasValueSatisfying(notBefore -> assertThat(notBefore)
                    .isBetween(
                            before.plusSeconds(1).minusMillis(1),
                            after.plusSeconds(1).plusMillis(1)));
        });
        ProducerRecord<byte[], byte[]> record = kafka.written(DELAY_1S).getFirst();
        assertThat(record.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(JobHeaders.instant(record.headers(), JobHeaders.DUE_AT))
                .isEqualTo(requeued.getFirst().getNotBefore().map(t -> Instant.ofEpochMilli(t.toEpochMilli())));
        assertThat(JobHeaders.text(record.headers(), JobHeaders.TARGET_TOPIC)).contains(MockKafka.QUEUE);
        assertThat(kafka.failures()).isEmpty();
        assertThat(deferred("lock_busy")).isEqualTo(1.0);
        elsewhere.release();
    }

    @Test
    void runsAJobHoldingItsLockAndGivesTheHandlerTheFencingToken() {
        // Given a type locked per account
        MockKafka kafka = new MockKafka(true);
        AtomicReference<OptionalLong> token = new AtomicReference<>();
        AtomicBoolean lockedDuringRun = new AtomicBoolean();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .lock("charge", KeyTemplate.parse("acct-${payload.accountId}"), LEASE)
                .handle("charge", (ctx, bytes) -> {
                    token.set(ctx.fencingToken());
                    lockedDuringRun.set(ctx.coordination()
                            .orElseThrow()
                            .locks()
                            .tryAcquire(MockKafka.QUEUE + "/acct-7", LEASE, Duration.ZERO)
                            .isEmpty());
                }));
        kafka.assign(partition(0));

        // When a job of account 7 runs
        kafka.addJob(partition(0), "k", "charge", "{\"accountId\":7}");

        // Then it held the lock while running, saw its token, and gave the lock back
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(lockedDuringRun).isTrue();
        assertThat(token.get()).isPresent();
        Lock next = coordination
                .locks()
                .tryAcquire(MockKafka.QUEUE + "/acct-7", LEASE, Duration.ZERO)
                .orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(token.get().getAsLong());
        next.release();
    }

    @Test
    void failsAJobWhoseLockKeyCannotBeResolvedWithoutBlockingThePartition() {
        // Given a type locked per account
        MockKafka kafka = new MockKafka(true);
        AtomicInteger runs = new AtomicInteger();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .lock("charge", KeyTemplate.parse("acct-${payload.accountId}"), LEASE)
                .handle("charge", (ctx, bytes) -> runs.incrementAndGet()));
        kafka.assign(partition(0));

        // When a job without an account arrives, then one with
        kafka.addJob(partition(0), "a", "charge", "{\"amount\":1}");
        kafka.addJob(partition(0), "b", "charge", "{\"accountId\":1}");

        // Then the first fails, non-retryable, naming the template; the second runs
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(kafka.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.getReason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(failure.getRetryable()).isFalse();
            assertThat(failure.getMessage())
                    .contains("acct-${payload.accountId}")
                    .contains("cannot be resolved");
        });
        assertThat(runs).hasValue(1);
    }

    @Test
    void runsAnIdempotentJobOnceAndSkipsItsRedelivery() {
        // Given an idempotent type
        MockKafka kafka = new MockKafka(true);
        List<String> runs = new CopyOnWriteArrayList<>();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> runs.add(ctx.id())));
        kafka.assign(partition(0));

        // When the same job is delivered twice
        Job job = MockKafka.job("k", "charge", "{}").build();
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(job));
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(job));

        // Then it ran once, the second delivery was skipped, and both offsets are done
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 2);
        assertThat(runs).containsExactly(job.getId());
        assertThat(registry.get("jobstream.jobs.skipped").counter().count()).isEqualTo(1.0);
        assertThat(coordination.idempotencyGuard().claim(MockKafka.QUEUE + "/" + job.getId(), LEASE))
                .isInstanceOf(Claim.AlreadyDone.class);
    }

    @Test
    void releasesTheClaimOfAFailedIdempotentJobSoARetryMayRun() {
        MockKafka kafka = new MockKafka(true);
        started(kafka.builder(config().build())
                .coordination(coordination)
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> {
                    throw new IllegalStateException("psp down");
                }));
        kafka.assign(partition(0));

        Job job = MockKafka.job("k", "charge", "{}").build();
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(job));

        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(kafka.failures()).extracting(JobFailure::getRetryable).containsExactly(true);
        Claim claim = coordination.idempotencyGuard().claim(MockKafka.QUEUE + "/" + job.getId(), LEASE);
        assertThat(claim).isInstanceOf(Claim.Acquired.class);
        ((Claim.Acquired) claim).release();
    }

    @Test
    void defersAnIdempotentJobThatRunsElsewhere() {
        // Given the job's id claimed by another worker
        MockKafka kafka = new MockKafka(true);
        AtomicInteger runs = new AtomicInteger();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> runs.incrementAndGet()));
        kafka.assign(partition(0));
        Job job = MockKafka.job("k", "charge", "{}").build();
        Claim elsewhere = coordination.idempotencyGuard().claim(MockKafka.QUEUE + "/" + job.getId(), LEASE);

        // When it is delivered
        kafka.add(partition(0), "k".getBytes(StandardCharsets.UTF_8), kafka.encode(job));

        // Then it is deferred, not run
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(runs).hasValue(0);
        assertThat(kafka.jobsWritten(DELAY_1S)).extracting(Job::getId).containsExactly(job.getId());
        assertThat(deferred("in_progress_elsewhere")).isEqualTo(1.0);
        ((Claim.Acquired) elsewhere).release();
    }

    @Test
    void defersJobsOverTheSemaphoreOrTheRate() {
        // Given a semaphore of one permit held elsewhere, and a rate of one job per minute
        MockKafka kafka = new MockKafka(true);
        AtomicInteger runs = new AtomicInteger();
        var permit = coordination
                .semaphore(MockKafka.QUEUE + "/psp", 1)
                .acquire(Duration.ZERO)
                .orElseThrow();
        started(kafka.builder(config().build())
                .coordination(coordination)
                .semaphore("refund", "psp", 1)
                .rate("mail", "smtp", 1.0 / 60)
                .handle("refund", (ctx, bytes) -> runs.incrementAndGet())
                .handle("mail", (ctx, bytes) -> runs.incrementAndGet()));
        kafka.assign(partition(0));

        // When a refund and two mails arrive
        kafka.addJob(partition(0), "a", "refund", "{}");
        kafka.addJob(partition(0), "b", "mail", "{}");
        kafka.addJob(partition(0), "c", "mail", "{}");

        // Then the refund and the second mail are deferred, the first mail runs
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(runs).hasValue(1);
        assertThat(deferred("semaphore_full")).isEqualTo(1.0);
        assertThat(deferred("rate_limited")).isEqualTo(1.0);
        assertThat(kafka.jobsWritten(DELAY_1S)).extracting(Job::getType).containsExactlyInAnyOrder("refund", "mail");
        permit.release();
    }

    @Test
    void defersInsteadOfRunningUnguardedWhenTheStoreIsUnreachable() {
        // Given a coordination store that cannot be reached
        MockKafka kafka = new MockKafka(true);
        AtomicInteger runs = new AtomicInteger();
        started(kafka.builder(config().build())
                .coordination(new UnreachableStore())
                .lock("charge", KeyTemplate.parse("${key}"), LEASE)
                .handle("charge", (ctx, bytes) -> runs.incrementAndGet()));
        kafka.assign(partition(0));

        // When a job arrives
        kafka.addJob(partition(0), "k", "charge", "{}");

        // Then it is deferred (fail closed), not run and not failed
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
        assertThat(runs).hasValue(0);
        assertThat(kafka.failures()).isEmpty();
        assertThat(kafka.jobsWritten(DELAY_1S)).hasSize(1);
        assertThat(deferred("coordination_unavailable")).isEqualTo(1.0);
    }

    @Test
    void refusesRulesWithoutACoordinationStoreOrOnABatchType() {
        MockKafka kafka = new MockKafka(true);

        assertThatThrownBy(() -> kafka.builder(config().build())
                        .idempotent("charge")
                        .handle("charge", (ctx, bytes) -> {})
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[charge]")
                .hasMessageContaining("Coordination");
        assertThatThrownBy(() -> kafka.builder(config().build())
                        .coordination(coordination)
                        .idempotent("index")
                        .handleBatch("index", 10, Duration.ofMillis(10), items -> BatchResult.allSucceeded())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("batch");
    }

    /** A store whose every call fails as an unreachable Redis does. */
    private static final class UnreachableStore implements Coordination {
        private static final String URI = "redis://10.0.0.9:6379";

        private static CoordinationUnavailableException down() {
            return new CoordinationUnavailableException(URI, "connection refused", null);
        }

        @Override
        public Locks locks() {
            return (name, lease, maxWait, renewal) -> {
                throw down();
            };
        }

        @Override
        public Semaphore semaphore(String name, int permits) {
            throw down();
        }

        @Override
        public Semaphore semaphore(String name, int permits, Duration lease) {
            throw down();
        }

        @Override
        public RateLimiter rateLimiter(String name, double permitsPerSecond, int burst) {
            throw down();
        }

        @Override
        public IdempotencyGuard idempotencyGuard() {
            return (jobId, lease, renewal) -> {
                throw down();
            };
        }

        @Override
        public LeaderElection leaderElection(String name, Duration lease, LeadershipListener listener) {
            throw down();
        }

        @Override
        public String location() {
            return URI;
        }

        @Override
        public void close() {}
    }
}
