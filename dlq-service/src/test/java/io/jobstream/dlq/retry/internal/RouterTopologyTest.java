package io.jobstream.dlq.retry.internal;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.internal.FailureHistory;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.FailureRecord;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.testkit.ManualClock;
import io.jobstream.testkit.SchemaRegistryServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTopologyTest {
    private static final String QUEUE = "emails";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Backoff ONE_SECOND_DOUBLING =
            new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.NONE);

    @TempDir
    Path stateDir;

    private final ManualClock clock = new ManualClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> failed;

    private void start(RetryPolicy policy) {
        start(policy, SERDES);
    }

    private void start(RetryPolicy policy, SerdeConfig serdes) {
        RouterTopology.Settings settings = new RouterTopology.Settings(
                QUEUE,
                Names.dlqRouter(QUEUE),
                DelayTiers.defaults(),
                new RetryPolicies(policy, Map.of()),
                20,
                RETENTION,
                serdes,
                clock,
                new Random(3),
                new RouterMetrics(registry, QUEUE));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RouterTopology.build(settings), props, T0);
        failed = driver.createInputTopic("emails.failed", new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(registry, List.of(DlqMeters.values())))
                .isEmpty();
    }

    private TestOutputTopic<byte[], byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void fail(JobFailure failure) {
        byte[] key = failure.getJob()
                .map(j -> j.getId().getBytes(StandardCharsets.UTF_8))
                .orElse(null);
        failed.pipeInput(new TestRecord<>(key, failures.encode("emails.failed", failure), new RecordHeaders(), T0));
    }

    private static String text(Headers headers, String name) {
        return JobHeaders.text(headers, name).orElse(null);
    }

    @Test
    void retriesWithTheNextAttemptInTheLargestTierNotLongerThanTheBackoff() {
        // Given exponential backoff without jitter: attempt 3's backoff is 4 s
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 3);
        // When attempt 3 fails
        fail(failure(job, QUEUE, T0.minusMillis(10)));
        // Then the job, attempt 4, waits in the 1s tier (5s would hold it past due), due 4 s from now
        TestRecord<byte[], byte[]> retry = output("emails.delay.1s").readRecord();
        Job next = jobs.decode("emails.delay.1s", retry.headers(), retry.value());
        assertThat(next.getId()).isEqualTo(job.getId());
        assertThat(next.getAttempt()).isEqualTo(4);
        assertThat(next.getHeaders()).containsEntry("tenant", "acme");
        assertThat(FailureHistory.of(next))
                .extracting(FailureRecord::getMessage)
                .containsExactly("boom at attempt 3");
        assertThat(new String(retry.key(), StandardCharsets.UTF_8)).isEqualTo(job.getId());
        assertThat(JobHeaders.instant(retry.headers(), JobHeaders.DUE_AT)).contains(T0.plusSeconds(4));
        assertThat(text(retry.headers(), JobHeaders.ATTEMPT)).isEqualTo("4");
        assertThat(text(retry.headers(), JobHeaders.JOB_ID)).isEqualTo(job.getId());
        assertThat(text(retry.headers(), JobHeaders.TARGET_TOPIC)).isEqualTo(QUEUE);
        assertThat(retry.timestamp()).isEqualTo(T0.toEpochMilli());
        // And a RETRY_SCHEDULED event for attempt 4, keyed by the job id
        TestRecord<byte[], byte[]> eventRecord = output("emails.events").readRecord();
        JobEvent event = events.decode("emails.events", eventRecord.headers(), eventRecord.value());
        assertThat(new String(eventRecord.key(), StandardCharsets.UTF_8)).isEqualTo(job.getId());
        assertThat(event.getState()).isEqualTo(JobState.RETRY_SCHEDULED);
        assertThat(event.getAttempt()).isEqualTo(4);
        assertThat(event.getError()).contains("HANDLER_ERROR java.lang.IllegalStateException: boom at attempt 3");
        assertThat(output("emails.dlq").isEmpty()).isTrue();
        assertThat(registry.get(DlqMeters.RETRIES_SCHEDULED.spec().name())
                        .tags("queue", QUEUE, "type", "send_email", "reason", "HANDLER_ERROR")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aLongerBackoffWaitsInALongerTier() {
        start(new RetryPolicy(
                5,
                new Backoff(Duration.ofSeconds(40), 2.0, Duration.ofHours(6), Backoff.Jitter.NONE),
                Set.of(),
                Set.of()));
        fail(failure(job("send_email", 1), QUEUE, T0));
        TestRecord<byte[], byte[]> retry = output("emails.delay.30s").readRecord();
        assertThat(JobHeaders.instant(retry.headers(), JobHeaders.DUE_AT)).contains(T0.plusSeconds(40));
    }

    @Test
    void aBackoffShorterThanTheSmallestTierGoesToTheSmallestTierNotStraightToTheQueue() {
        start(new RetryPolicy(
                5,
                new Backoff(Duration.ofMillis(200), 2.0, Duration.ofHours(1), Backoff.Jitter.NONE),
                Set.of(),
                Set.of()));
        fail(failure(job("send_email", 1), QUEUE, T0));
        TestRecord<byte[], byte[]> retry = output("emails.delay.1s").readRecord();
        assertThat(JobHeaders.instant(retry.headers(), JobHeaders.DUE_AT)).contains(T0.plusMillis(200));
        assertThat(output(QUEUE).isEmpty()).isTrue();
    }

    @Test
    void anExpiredJobEndsExpiredNeitherRetriedNorDeadLettered() {
        // Given the default policy and a job the worker failed as EXPIRED (it wrote the EXPIRED event itself)
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        fail(failure(job("send_email", 1), QUEUE, T0, FailureReason.EXPIRED, false));

        // Then nothing is routed: no retry, no dead letter, no DEAD_LETTERED event (one job, one terminal state;
        // FaultSuiteIT found every expired job also dead-lettered)
        assertThat(output("emails.delay.1s").isEmpty()).isTrue();
        assertThat(output("emails.dlq").isEmpty()).isTrue();
        assertThat(output("emails.events").isEmpty()).isTrue();
    }

    @Test
    void deadLettersAfterMaxAttemptsWithEveryFailureInTheHistory() {
        // Given max attempts 4
        start(new RetryPolicy(4, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 1);
        TestOutputTopic<byte[], byte[]> tier1s = output("emails.delay.1s");
        TestOutputTopic<byte[], byte[]> tier5s = output("emails.delay.5s");
        // When every attempt fails (each retry is fed back as the worker would run it)
        for (int attempt = 1; attempt <= 3; attempt++) {
            fail(failure(job, QUEUE, T0.plusSeconds(attempt)));
            TestRecord<byte[], byte[]> retry = tier1s.isEmpty() ? tier5s.readRecord() : tier1s.readRecord();
            job = jobs.decode("emails.delay.1s", retry.headers(), retry.value());
        }
        clock.advance(Duration.ofMinutes(1));
        fail(failure(job, QUEUE, T0.plusSeconds(4)));
        // Then exactly one dead letter holds all four failures, oldest first
        List<TestRecord<byte[], byte[]>> dlq = output("emails.dlq").readRecordsToList();
        assertThat(dlq).hasSize(1);
        DeadLetter letter = deadLetters.decode(
                "emails.dlq", dlq.get(0).headers(), dlq.get(0).value());
        assertThat(letter.getHistory())
                .extracting(FailureRecord::getMessage)
                .containsExactly("boom at attempt 1", "boom at attempt 2", "boom at attempt 3", "boom at attempt 4");
        assertThat(letter.getDeadAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        Job last = letter.getLastFailure().getJob().orElseThrow();
        assertThat(last.getAttempt()).isEqualTo(4);
        assertThat(last.getHeaders()).doesNotContainKey(FailureHistory.HEADER).containsEntry("tenant", "acme");
        // And it carries Spring Kafka's dead-letter headers
        Headers headers = dlq.get(0).headers();
        assertThat(text(headers, JobHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(QUEUE);
        assertThat(headers.lastHeader(JobHeaders.DLT_ORIGINAL_PARTITION).value())
                .isEqualTo(JobHeaders.dltInt(2));
        assertThat(headers.lastHeader(JobHeaders.DLT_ORIGINAL_OFFSET).value()).isEqualTo(JobHeaders.dltLong(41));
        assertThat(text(headers, JobHeaders.DLT_EXCEPTION_FQCN)).isEqualTo("java.lang.IllegalStateException");
        assertThat(text(headers, JobHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("boom at attempt 4");
        assertThat(text(headers, JobHeaders.DLT_EXCEPTION_STACKTRACE)).startsWith("java.lang.IllegalStateException");
        assertThat(text(headers, JobHeaders.DLT_ORIGINAL_CONSUMER_GROUP)).isEqualTo("emails.workers");
        assertThat(text(headers, JobHeaders.FAILURE_REASON)).isEqualTo("HANDLER_ERROR");
        // And the last event is DEAD_LETTERED for attempt 4
        List<TestRecord<byte[], byte[]>> allEvents = output("emails.events").readRecordsToList();
        assertThat(allEvents)
                .extracting(r -> events.decode("emails.events", r.headers(), r.value()))
                .extracting(JobEvent::getState, JobEvent::getAttempt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(JobState.RETRY_SCHEDULED, 2),
                        org.assertj.core.groups.Tuple.tuple(JobState.RETRY_SCHEDULED, 3),
                        org.assertj.core.groups.Tuple.tuple(JobState.RETRY_SCHEDULED, 4),
                        org.assertj.core.groups.Tuple.tuple(JobState.DEAD_LETTERED, 4));
        assertThat(registry.get(DlqMeters.DEAD_LETTERS.spec().name())
                        .tags("queue", QUEUE, "type", "send_email", "reason", "HANDLER_ERROR")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aSecondFailureOfAnAttemptAlreadyRoutedIsDroppedAndCounted() {
        // Given a job whose attempt 1 failed and was routed to a retry
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 1);
        JobFailure failure = failure(job, QUEUE, T0);
        fail(failure);
        // When a worker that crashed before committing ran attempt 1 again and wrote its failure a second time
        clock.advance(Duration.ofSeconds(3));
        fail(failure(job, QUEUE, T0.plusSeconds(2)));
        // Then only one attempt 2 is scheduled, with one RETRY_SCHEDULED event
        assertThat(output("emails.delay.1s").readRecordsToList()).hasSize(1);
        assertThat(output("emails.events").readRecordsToList())
                .extracting(r -> events.decode("emails.events", r.headers(), r.value()))
                .extracting(JobEvent::getState, JobEvent::getAttempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(JobState.RETRY_SCHEDULED, 2));
        // And the dropped failure is counted
        assertThat(registry.get(DlqMeters.ROUTER_DUPLICATES.spec().name())
                        .tags("queue", QUEUE)
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(DlqMeters.RETRIES_SCHEDULED.spec().name())
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aSecondFailureOfAnAttemptAlreadyDeadLetteredWritesNoSecondDeadLetter() {
        // Given a job whose last attempt failed and was dead-lettered
        start(new RetryPolicy(2, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 2);
        fail(failure(job, QUEUE, T0));
        // When the same attempt's failure arrives again (a re-run after a crash)
        fail(failure(job, QUEUE, T0.plusSeconds(1)));
        // Then there is one dead letter, one DEAD_LETTERED event, and one duplicate counted
        assertThat(output("emails.dlq").readRecordsToList()).hasSize(1);
        assertThat(output("emails.events").readRecordsToList())
                .extracting(r ->
                        events.decode("emails.events", r.headers(), r.value()).getState())
                .containsExactly(JobState.DEAD_LETTERED);
        assertThat(registry.get(DlqMeters.ROUTER_DUPLICATES.spec().name())
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void differentAttemptsOfOneJobAreRoutedSeparately() {
        // Given a job whose attempt 1 failed and was retried
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job first = job("send_email", 1);
        fail(failure(first, QUEUE, T0));
        TestOutputTopic<byte[], byte[]> tier1s = output("emails.delay.1s");
        TestRecord<byte[], byte[]> retry = tier1s.readRecord();
        Job second = jobs.decode("emails.delay.1s", retry.headers(), retry.value());
        // When attempt 2 fails too (the same source coordinates, as the test failures all carry)
        fail(failure(second, QUEUE, T0.plusSeconds(2)));
        // Then attempt 3 is scheduled as well, and nothing counts as a duplicate
        Job third = jobs.decode("emails.delay.1s", null, tier1s.readRecord().value());
        assertThat(third.getId()).isEqualTo(first.getId());
        assertThat(third.getAttempt()).isEqualTo(3);
        assertThat(registry.find(DlqMeters.ROUTER_DUPLICATES.spec().name()).counter())
                .isNull();
    }

    @Test
    void aReplayedJobStartsANewLineageWhoseFailuresAreRoutedAgain() {
        // Given a job dead-lettered at attempt 1 (one attempt allowed), read from offset 41
        start(new RetryPolicy(1, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 1);
        fail(failure(job, QUEUE, T0));
        // When it is replayed (attempt 1 again, a new record at another offset) and fails again
        JobFailure again = JobFailure.newBuilder(failure(job, QUEUE, T0.plusSeconds(60)))
                .setSourceOffset(977L)
                .build();
        fail(again);
        // Then both failures are dead-lettered: the replay is a lineage of its own, not a duplicate
        assertThat(output("emails.dlq").readRecordsToList()).hasSize(2);
        assertThat(registry.find(DlqMeters.ROUTER_DUPLICATES.spec().name()).counter())
                .isNull();
    }

    @Test
    void aWorkersUndecodableRecordRunTwiceIsDeadLetteredOnce() {
        // Given a worker's DECODE_ERROR failure (no job, the raw bytes) for the record at offset 7 of partition 1
        start(RetryPolicy.DEFAULT);
        JobFailure raw = JobFailure.newBuilder(
                        failure(job("send_email", 1), QUEUE, T0, FailureReason.DECODE_ERROR, false))
                .setJob(null)
                .setRawValue(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setSourcePartition(1)
                .setSourceOffset(7L)
                .build();
        // When it arrives twice (the worker read the record again after a crash), and a failure of the next record
        failed.pipeInput(new TestRecord<>(null, failures.encode("emails.failed", raw), new RecordHeaders(), T0));
        failed.pipeInput(new TestRecord<>(null, failures.encode("emails.failed", raw), new RecordHeaders(), T0));
        JobFailure next = JobFailure.newBuilder(raw).setSourceOffset(8L).build();
        failed.pipeInput(new TestRecord<>(null, failures.encode("emails.failed", next), new RecordHeaders(), T0));
        // Then offsets 7 and 8 have one dead letter each
        assertThat(output("emails.dlq").readRecordsToList())
                .extracting(r -> deadLetters
                        .decode("emails.dlq", r.headers(), r.value())
                        .getLastFailure()
                        .getSourceOffset())
                .containsExactly(7L, 8L);
        assertThat(registry.get(DlqMeters.ROUTER_DUPLICATES.spec().name())
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void routedAttemptsAreKeptInAPersistentStoreThatIsWrittenToItsChangelog() {
        // Given a router
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        // When one failure is routed
        fail(failure(job("send_email", 1), QUEUE, T0));
        // Then the routed attempt is in a persistent store, and in its changelog topic (written in the same
        // transaction as the retry), from which Streams restores it after a crash or on another instance
        WindowStore<String, String> store = driver.getWindowStore(RouterTopology.ROUTED_STORE);
        assertThat(store.persistent()).isTrue();
        List<TestRecord<byte[], byte[]>> changelog = output(
                        "emails.dlq-router-" + RouterTopology.ROUTED_STORE + "-changelog")
                .readRecordsToList();
        assertThat(changelog)
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("RETRY_SCHEDULED");
    }

    @Test
    void anAttemptRoutedLongerAgoThanTheRetentionIsForgotten() {
        // Given an attempt routed at T0
        start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()));
        Job job = job("send_email", 1);
        fail(failure(job, QUEUE, T0));
        // When its failure arrives again after the retention
        clock.advance(RETENTION.plusSeconds(1));
        fail(failure(job, QUEUE, T0));
        // Then the store no longer knows it, and it is routed again (the store's bound, documented in the README)
        assertThat(output("emails.delay.1s").readRecordsToList()).hasSize(2);
        assertThat(registry.find(DlqMeters.ROUTER_DUPLICATES.spec().name()).counter())
                .isNull();
    }

    @Test
    void aNonRetryableReasonIsDeadLetteredAtOnce() {
        start(RetryPolicy.DEFAULT);
        fail(failure(job("send_email", 1), QUEUE, T0, FailureReason.UNKNOWN_TYPE, true));
        TestRecord<byte[], byte[]> record = output("emails.dlq").readRecord();
        DeadLetter letter = deadLetters.decode("emails.dlq", record.headers(), record.value());
        assertThat(letter.getHistory())
                .extracting(FailureRecord::getReason)
                .containsExactly(FailureReason.UNKNOWN_TYPE);
        for (String tier : DelayTiers.defaults().names()) {
            assertThat(output("emails.delay." + tier).isEmpty()).isTrue();
        }
        assertThat(registry.get(DlqMeters.DEAD_LETTERS.spec().name())
                        .tags("reason", "UNKNOWN_TYPE")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void onAConfluentQueueRetriesDeadLettersAndEventsAreConfluentUnderTheirOwnSubjects() {
        try (SchemaRegistryServer schemaRegistry = SchemaRegistryServer.start();
                JobSerde<JobFailure> workerFailures =
                        JobSerde.forFailure(SerdeConfig.confluent(SchemaRegistryConfig.of(schemaRegistry.url())))) {
            // Given a router writing the Confluent format, and a worker's Confluent-framed failures
            SerdeConfig confluent = SerdeConfig.confluent(SchemaRegistryConfig.of(schemaRegistry.url()));
            start(new RetryPolicy(5, ONE_SECOND_DOUBLING, Set.of(), Set.of()), confluent);
            Job retried = job("send_email", 1);
            Job unknownSchema = job("send_email", 1);

            // When a retryable failure and an UNKNOWN_SCHEMA failure arrive
            for (JobFailure failure : List.of(
                    failure(retried, QUEUE, T0),
                    failure(unknownSchema, QUEUE, T0, FailureReason.UNKNOWN_SCHEMA, false))) {
                failed.pipeInput(new TestRecord<>(
                        failure.getJob().orElseThrow().getId().getBytes(StandardCharsets.UTF_8),
                        workerFailures.encode("emails.failed", failure),
                        new RecordHeaders(),
                        T0));
            }

            // Then the retry, the dead letter (UNKNOWN_SCHEMA is never retried) and the events are Confluent-framed,
            // each schema registered under its own topic's subject
            TestRecord<byte[], byte[]> retry = output("emails.delay.1s").readRecord();
            TestRecord<byte[], byte[]> dead = output("emails.dlq").readRecord();
            List<TestRecord<byte[], byte[]>> eventRecords =
                    output("emails.events").readRecordsToList();
            assertThat(retry.value()[0]).isZero();
            assertThat(dead.value()[0]).isZero();
            assertThat(eventRecords).isNotEmpty().allSatisfy(e -> assertThat(e.value()[0])
                    .isZero());
            for (String subject : List.of("emails.delay.1s-value", "emails.dlq-value", "emails.events-value")) {
                assertThat(schemaRegistry.requests("POST /subjects/" + subject + "/versions"))
                        .as(subject)
                        .isEqualTo(1);
            }
            try (JobSerde<Job> jobReader = JobSerde.forJob(confluent);
                    JobSerde<DeadLetter> letterReader = JobSerde.forDeadLetter(confluent)) {
                assertThat(jobReader
                                .decode("emails.delay.1s", retry.headers(), retry.value())
                                .getId())
                        .isEqualTo(retried.getId());
                DeadLetter letter = letterReader.decode("emails.dlq", dead.headers(), dead.value());
                assertThat(letter.getLastFailure().getReason()).isEqualTo(FailureReason.UNKNOWN_SCHEMA);
                assertThat(letter.getLastFailure().getJob().orElseThrow().getId())
                        .isEqualTo(unknownSchema.getId());
            }
        }
    }

    @Test
    void anUndecodableFailureRecordIsDeadLetteredWithItsBytesAndTheStreamGoesOn() {
        // Given a record the failure decoder cannot read, followed by a good one
        start(RetryPolicy.DEFAULT);
        byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3};
        failed.pipeInput("k".getBytes(StandardCharsets.UTF_8), garbage);
        fail(failure(job("send_email", 1), QUEUE, T0));
        // Then the garbage is dead-lettered as DECODE_ERROR with its bytes, and the good one is retried
        TestRecord<byte[], byte[]> record = output("emails.dlq").readRecord();
        DeadLetter letter = deadLetters.decode("emails.dlq", record.headers(), record.value());
        JobFailure last = letter.getLastFailure();
        assertThat(last.getReason()).isEqualTo(FailureReason.DECODE_ERROR);
        assertThat(last.getJob()).isEmpty();
        assertThat(last.getRawValue().map(b -> {
                    byte[] copy = new byte[b.remaining()];
                    b.duplicate().get(copy);
                    return copy;
                }))
                .contains(garbage);
        assertThat(last.getSourceTopic()).isEqualTo("emails.failed");
        assertThat(text(record.headers(), JobHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo("emails.failed");
        assertThat(output("emails.delay.1s").getQueueSize()).isEqualTo(1);
        assertThat(registry.get(DlqMeters.UNDECODABLE_FAILURES.spec().name())
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(DlqMeters.DEAD_LETTERS.spec().name())
                        .tags("type", "unknown")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aRecordThatCannotBeDecodedForNowFailsTheTaskInsteadOfBeingDeadLettered() {
        // Given a router whose schema registry does not answer
        start(RetryPolicy.DEFAULT, SerdeConfig.singleObject(SchemaRegistryConfig.of("http://127.0.0.1:1")));
        byte[] confluentFramed = {0, 0, 0, 0, 42, 2, 4};
        // When a Confluent-framed failure arrives, Then processing fails (Streams retries it from the last commit)
        assertThatThrownBy(() -> failed.pipeInput("k".getBytes(StandardCharsets.UTF_8), confluentFramed))
                .isInstanceOf(StreamsException.class)
                .satisfies(
                        e -> assertThat(decodeFault(e)).isNotNull().satisfies(fault -> assertThat(fault.isRetriable())
                                .isTrue()));
        assertThat(output("emails.dlq").isEmpty()).isTrue();
    }

    private static JobDecodeException decodeFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JobDecodeException decode) {
                return decode;
            }
        }
        return null;
    }
}
