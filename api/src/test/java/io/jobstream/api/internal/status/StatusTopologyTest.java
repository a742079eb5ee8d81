package io.jobstream.api.internal.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.api.ApiMeters;
import io.jobstream.api.JobStatus;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fold, through the whole topology in Kafka's TopologyTestDriver. */
class StatusTopologyTest {
    private static final String QUEUE = "emails";
    private static final String OTHER = "reports";
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobSerde<JobEvent> eventSerde = JobSerde.forEvent(SerdeConfig.singleObject());
    private final JobSerde<Job> jobSerde = JobSerde.forJob(SerdeConfig.singleObject());
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> events;
    private TestInputTopic<String, byte[]> otherEvents;
    private TestInputTopic<byte[], byte[]> queue;

    private void start(int historySize, Duration retention, Duration idleRetention) {
        StatusTopology.Settings settings = new StatusTopology.Settings(
                List.of(QUEUE, OTHER),
                Map.of(QUEUE, 6, OTHER, 3),
                true,
                new StoredStatus.Limits(historySize, retention, idleRetention),
                Duration.ofSeconds(10),
                SerdeConfig.singleObject(),
                new StatusMetrics(registry));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jobstream-status-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StatusTopology.build(settings), props, T0);
        events = driver.createInputTopic(
                Topics.events(QUEUE), new StringSerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
        otherEvents = driver.createInputTopic(
                Topics.events(OTHER), new StringSerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
        queue = driver.createInputTopic(QUEUE, new ByteArraySerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
    }

    private void start() {
        start(50, Duration.ofHours(1), Duration.ofDays(7));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        eventSerde.close();
        jobSerde.close();
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(registry, List.of(ApiMeters.values())))
                .isEmpty();
    }

    @Test
    void aJobThatFailsTwiceThenSucceedsIsSucceededAfterThreeAttemptsWithEveryEvent() {
        // Given the projection
        start();

        // When the job is published, fails twice (processor + router events) and then succeeds
        publishWithHeaders("job-1", "send_email", T0);
        event("job-1", JobState.FAILED, 1, 1_000, "HANDLER_ERROR boom 1");
        event("job-1", JobState.RETRY_SCHEDULED, 2, 1_010, "HANDLER_ERROR java.lang.IllegalStateException: boom 1");
        event("job-1", JobState.FAILED, 2, 3_000, "HANDLER_ERROR boom 2");
        event("job-1", JobState.RETRY_SCHEDULED, 3, 3_010, "HANDLER_ERROR java.lang.IllegalStateException: boom 2");
        event("job-1", JobState.SUCCEEDED, 3, 7_000, null);

        // Then it succeeded after 3 attempts, with its last error, enqueue time and every event in order
        JobStatus status = status("job-1");
        assertThat(status.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status.attempts()).isEqualTo(3);
        assertThat(status.type()).isEqualTo("send_email");
        assertThat(status.queue()).isEqualTo(QUEUE);
        assertThat(status.firstEnqueuedAt()).contains(T0);
        assertThat(status.lastUpdatedAt()).isEqualTo(T0.plusMillis(7_000));
        assertThat(status.lastError()).contains("HANDLER_ERROR java.lang.IllegalStateException: boom 2");
        assertThat(status.events())
                .extracting(JobStatus.Event::state)
                .containsExactly(
                        JobState.ENQUEUED,
                        JobState.FAILED,
                        JobState.RETRY_SCHEDULED,
                        JobState.FAILED,
                        JobState.RETRY_SCHEDULED,
                        JobState.SUCCEEDED);
        assertThat(status.eventCount()).isEqualTo(6);
        assertThat(counted("applied")).isEqualTo(6);
    }

    @Test
    void aDeadLetteredJobThatIsReplayedShowsReplayedThenItsNewOutcomeCountingEveryAttempt() {
        // Given a job that failed its 2 attempts and was dead-lettered
        start();
        event("job-2", JobState.FAILED, 1, 1_000, "boom");
        event("job-2", JobState.RETRY_SCHEDULED, 2, 1_001, "boom");
        event("job-2", JobState.FAILED, 2, 2_000, "boom again");
        event("job-2", JobState.DEAD_LETTERED, 2, 2_001, "MAX_ATTEMPTS: boom again");
        assertThat(status("job-2").state()).isEqualTo(JobState.DEAD_LETTERED);

        // When it is replayed (the replay also republishes it to the queue, which is no new enqueue)
        event("job-2", JobState.REPLAYED, 1, 60_000, null);
        publishReplayed("job-2", 60_000);

        // Then it is REPLAYED, with the attempts so far
        assertThat(status("job-2").state()).isEqualTo(JobState.REPLAYED);
        assertThat(status("job-2").attempts()).isEqualTo(2);

        // When the replayed job succeeds at its (new) first attempt
        event("job-2", JobState.STARTED, 1, 61_000, null);
        event("job-2", JobState.SUCCEEDED, 1, 61_500, null);

        // Then it succeeded after 3 attempts in all; the replay's queue record added no event
        JobStatus status = status("job-2");
        assertThat(status.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status.attempts()).isEqualTo(3);
        assertThat(status.events())
                .extracting(JobStatus.Event::state)
                .containsExactly(
                        JobState.FAILED,
                        JobState.RETRY_SCHEDULED,
                        JobState.FAILED,
                        JobState.DEAD_LETTERED,
                        JobState.REPLAYED,
                        JobState.STARTED,
                        JobState.SUCCEEDED);
        assertThat(status.firstEnqueuedAt()).isEmpty();
    }

    @Test
    void lateEventsAreKeptInTheHistoryButNeverMoveTheStateBack() {
        // Given a job that succeeded at its second attempt
        start();
        event("job-3", JobState.STARTED, 2, 5_000, null);
        event("job-3", JobState.SUCCEEDED, 2, 6_000, null);

        // When the first attempt's failure and the enqueue arrive afterwards
        event("job-3", JobState.FAILED, 1, 2_000, "timeout");
        publishWithHeaders("job-3", "send_email", T0);

        // Then the state stays SUCCEEDED, the late events are in time order and the late one is counted
        JobStatus status = status("job-3");
        assertThat(status.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status.attempts()).isEqualTo(2);
        assertThat(status.lastError()).isEmpty();
        assertThat(status.firstEnqueuedAt()).contains(T0);
        assertThat(status.events())
                .extracting(JobStatus.Event::state)
                .containsExactly(JobState.ENQUEUED, JobState.FAILED, JobState.STARTED, JobState.SUCCEEDED);
        assertThat(counted("late")).isEqualTo(1);
    }

    @Test
    void aRetryScheduledBeforeItsFailureArrivedStillEndsAtTheRetry() {
        // Given a job whose retry event (router) arrives before its failure event (processor)
        start();
        event("job-4", JobState.RETRY_SCHEDULED, 2, 1_010, "boom");
        event("job-4", JobState.FAILED, 1, 1_000, "boom");

        // Then it waits for its second attempt, one attempt having run
        JobStatus status = status("job-4");
        assertThat(status.state()).isEqualTo(JobState.RETRY_SCHEDULED);
        assertThat(status.attempts()).isEqualTo(1);
        assertThat(counted("late")).isEqualTo(1);
    }

    @Test
    void reRunsOfAnAttemptAfterAWorkerCrashAddNoAttemptAndNeverMoveTheStateBack() {
        // Given a job whose attempt 1 failed and was scheduled for a retry
        start();
        event("job-9", JobState.STARTED, 1, 1_000, null);
        event("job-9", JobState.FAILED, 1, 1_100, "HANDLER_ERROR boom");
        event("job-9", JobState.RETRY_SCHEDULED, 2, 1_110, "HANDLER_ERROR boom");

        // When the worker crashed before committing and a new one runs attempt 1 again (the router drops its
        // second failure: no second RETRY_SCHEDULED)
        event("job-9", JobState.STARTED, 1, 12_000, null);
        event("job-9", JobState.FAILED, 1, 12_100, "HANDLER_ERROR boom");

        // Then the job still waits for attempt 2, one attempt counted
        assertThat(status("job-9").state()).isEqualTo(JobState.RETRY_SCHEDULED);
        assertThat(status("job-9").attempts()).isEqualTo(1);

        // When attempt 2 succeeds, and is run again after another crash (a second STARTED and SUCCEEDED)
        event("job-9", JobState.STARTED, 2, 13_000, null);
        event("job-9", JobState.SUCCEEDED, 2, 13_100, null);
        event("job-9", JobState.STARTED, 2, 25_000, null);
        event("job-9", JobState.SUCCEEDED, 2, 25_100, null);

        // Then it succeeded after 2 attempts; the re-runs are in its events, not in its attempt count
        JobStatus status = status("job-9");
        assertThat(status.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status.attempts()).isEqualTo(2);
        assertThat(status.events())
                .extracting(JobStatus.Event::state, JobStatus.Event::attempt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(JobState.STARTED, 1),
                        org.assertj.core.groups.Tuple.tuple(JobState.FAILED, 1),
                        org.assertj.core.groups.Tuple.tuple(JobState.RETRY_SCHEDULED, 2),
                        org.assertj.core.groups.Tuple.tuple(JobState.STARTED, 1),
                        org.assertj.core.groups.Tuple.tuple(JobState.FAILED, 1),
                        org.assertj.core.groups.Tuple.tuple(JobState.STARTED, 2),
                        org.assertj.core.groups.Tuple.tuple(JobState.SUCCEEDED, 2),
                        org.assertj.core.groups.Tuple.tuple(JobState.STARTED, 2),
                        org.assertj.core.groups.Tuple.tuple(JobState.SUCCEEDED, 2));
    }

    @Test
    void duplicateEventsChangeNothing() {
        // Given a job that failed once
        start();
        event("job-5", JobState.FAILED, 1, 1_000, "boom");

        // When the same event is delivered again (at-least-once)
        event("job-5", JobState.FAILED, 1, 1_000, "boom");

        // Then it is counted once
        assertThat(status("job-5").eventCount()).isEqualTo(1);
        assertThat(status("job-5").events()).hasSize(1);
        assertThat(counted("duplicate")).isEqualTo(1);
    }

    @Test
    void undecodableAndMisroutedEventsAreCountedAndSkippedWithoutStoppingTheProjection() {
        // Given the projection
        start();

        // When garbage, an event under another key and an undecodable queue record arrive, then a good event
        events.pipeInput("job-6", "not avro".getBytes(StandardCharsets.UTF_8));
        events.pipeInput("someone-else", encode(event("job-6", JobState.FAILED, 1, 500, "x", false)));
        queue.pipeInput("k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
        event("job-6", JobState.SUCCEEDED, 1, 1_000, null);

        // Then the bad ones are counted, and the good one is folded
        assertThat(counted("undecodable")).isEqualTo(2);
        assertThat(counted("misrouted")).isEqualTo(1);
        assertThat(status("job-6").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status("job-6").events()).hasSize(1);
    }

    @Test
    void aJobFromAnotherProducerIsEnqueuedFromItsDecodedRecordAndRetriesOnTheQueueAreNoEnqueue() {
        // Given the projection
        start();
        Job job = Job.newBuilder()
                .setId("job-7")
                .setType("resize")
                .setPayload(ByteBuffer.wrap(new byte[] {1}))
                .setCreatedAt(T0)
                .build();

        // When the job arrives without Jobstream headers (another producer), keyed by an ordering key
        queue.pipeInput(new TestRecord<>(
                "customer-1".getBytes(StandardCharsets.UTF_8), jobSerde.encode(QUEUE, job), T0.plusMillis(5)));
        // and a retry of it comes back to the queue (attempt 2, as the delay forwarder releases it)
        Headers retry = new RecordHeaders();
        JobHeaders.putText(retry, JobHeaders.JOB_ID, "job-7");
        JobHeaders.putText(retry, JobHeaders.JOB_TYPE, "resize");
        JobHeaders.putText(retry, JobHeaders.ATTEMPT, "2");
        queue.pipeInput(new TestRecord<>(
                "customer-1".getBytes(StandardCharsets.UTF_8),
                jobSerde.encode(QUEUE, Job.newBuilder(job).setAttempt(2).build()),
                retry,
                T0.plusMillis(9_000)));

        // Then the job is ENQUEUED once, at its record's time
        JobStatus status = status("job-7");
        assertThat(status.state()).isEqualTo(JobState.ENQUEUED);
        assertThat(status.type()).isEqualTo("resize");
        assertThat(status.firstEnqueuedAt()).contains(T0.plusMillis(5));
        assertThat(status.events()).hasSize(1);
        assertThat(registry.get("jobstream.status.enqueued").counter().count()).isEqualTo(1);
    }

    @Test
    void eventsOfAQueueWithAnotherPartitionCountAreFoldedThroughTheInternalTopic() {
        // Given the projection over a 6- and a 3-partition queue
        start();

        // When a job of the 3-partition queue runs
        otherEvents.pipeInput("job-8", encode(event("job-8", JobState.STARTED, 1, 100, null, false, OTHER)));
        otherEvents.pipeInput("job-8", encode(event("job-8", JobState.SUCCEEDED, 1, 200, null, false, OTHER)));

        // Then its status is in the store like any other
        assertThat(status("job-8").state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(status("job-8").queue()).isEqualTo(OTHER);
    }

    @Test
    void theSameJobIdInTwoQueuesIsTwoJobsWithTheirOwnStatus() {
        // Given the projection over two queues
        start();

        // When job order-7 succeeds on one queue and the same id is merely enqueued on the other
        event("order-7", JobState.STARTED, 1, 100, null);
        event("order-7", JobState.SUCCEEDED, 1, 200, null);
        otherEvents.pipeInput("order-7", encode(event("order-7", JobState.ENQUEUED, 1, 300, null, false, OTHER)));

        // Then each queue keeps its own status: the other queue's job did not succeed, and no history is shared
        StoredStatus succeeded = store().get(StatusKeys.of(QUEUE, "order-7"));
        StoredStatus enqueued = store().get(StatusKeys.of(OTHER, "order-7"));
        assertThat(succeeded.view().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(succeeded.view().events()).hasSize(2);
        assertThat(enqueued.view().state()).isEqualTo(JobState.ENQUEUED);
        assertThat(enqueued.view().queue()).isEqualTo(OTHER);
        assertThat(enqueued.view().events()).hasSize(1);
    }

    @Test
    void anEventOfAnUntrackedQueueIsCountedAsMisroutedNotStored() {
        // Given the projection over two queues
        start();

        // When an event names a queue the projection does not track
        events.pipeInput("job-x", encode(event("job-x", JobState.SUCCEEDED, 1, 100, null, false, "elsewhere")));

        // Then nothing is stored for it
        assertThat(store().get(StatusKeys.of("elsewhere", "job-x"))).isNull();
        assertThat(stored("job-x")).isNull();
        assertThat(counted("misrouted")).isEqualTo(1);
    }

    @Test
    void theHistoryKeepsTheMostRecentEventsButCountsAll() {
        // Given a history of 3 events
        start(3, Duration.ofHours(1), Duration.ofDays(7));

        // When a job has 5 events
        for (int attempt = 1; attempt <= 4; attempt++) {
            event("job-9", JobState.FAILED, attempt, attempt * 1_000L, "boom " + attempt);
        }
        event("job-9", JobState.DEAD_LETTERED, 4, 4_001, "MAX_ATTEMPTS");

        // Then the last 3 are kept, 5 counted, the state and attempts are whole
        JobStatus status = status("job-9");
        assertThat(status.events()).extracting(JobStatus.Event::attempt).containsExactly(3, 4, 4);
        assertThat(status.eventCount()).isEqualTo(5);
        assertThat(status.attempts()).isEqualTo(4);
        assertThat(status.state()).isEqualTo(JobState.DEAD_LETTERED);
    }

    @Test
    void aFinishedJobIsDroppedAfterItsRetentionAndAnUnfinishedOneAfterItsIdleRetention() {
        // Given a retention of 1 minute after the terminal state and 10 minutes without events otherwise
        start(50, Duration.ofMinutes(1), Duration.ofMinutes(10));
        event("done", JobState.SUCCEEDED, 1, 0, null);
        event("waiting", JobState.RETRY_SCHEDULED, 2, 0, "boom");

        // When 2 minutes pass
        driver.advanceWallClockTime(Duration.ofMinutes(2));

        // Then only the finished job is gone
        assertThat(stored("done")).isNull();
        assertThat(stored("waiting")).isNotNull();

        // When 10 minutes more pass
        driver.advanceWallClockTime(Duration.ofMinutes(10));

        // Then the unfinished job is gone too
        assertThat(stored("waiting")).isNull();
        assertThat(registry.get("jobstream.status.purged").counter().count()).isEqualTo(2);
    }

    @Test
    void aReplayedJobIsKeptAgainUntilItsNewOutcomeAges() {
        // Given a retention of 1 minute after the terminal state, and a dead letter replayed after 5 minutes
        start(50, Duration.ofMinutes(1), Duration.ofMinutes(10));
        event("job-10", JobState.DEAD_LETTERED, 1, 0, "boom");
        event("job-10", JobState.REPLAYED, 1, Duration.ofMinutes(5).toMillis(), null);

        // When 2 minutes pass (the dead letter's retention is over, the replay's idle retention not)
        driver.advanceWallClockTime(Duration.ofMinutes(2));

        // Then the job is still there, REPLAYED
        assertThat(stored("job-10").state()).isEqualTo(JobState.REPLAYED);
    }

    private KeyValueStore<String, StoredStatus> store() {
        return driver.getKeyValueStore(StatusTopology.STATUS_STORE);
    }

    /** The status of job {@code id} in either queue (an id is in one of them in these tests). */
    private StoredStatus stored(String id) {
        StoredStatus inQueue = store().get(StatusKeys.of(QUEUE, id));
        return inQueue != null ? inQueue : store().get(StatusKeys.of(OTHER, id));
    }

    private JobStatus status(String id) {
        StoredStatus stored = stored(id);
        assertThat(stored).as("status of " + id).isNotNull();
        return stored.view();
    }

    private double counted(String outcome) {
        return registry.get(ApiMeters.STATUS_EVENTS.spec().name())
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    private void event(String id, JobState state, int attempt, long atMillis, String error) {
        events.pipeInput(id, encode(event(id, state, attempt, atMillis, error, false)));
    }

    private JobEvent event(String id, JobState state, int attempt, long atMillis, String error, boolean unused) {
        return event(id, state, attempt, atMillis, error, unused, QUEUE);
    }

    private static JobEvent event(
            String id, JobState state, int attempt, long atMillis, String error, boolean unused, String queue) {
        return JobEvent.newBuilder()
                .setJobId(id)
                .setQueue(queue)
                .setType("send_email")
                .setState(state)
                .setAttempt(attempt)
                .setAt(T0.plusMillis(atMillis))
                .setWorkerId(state == JobState.STARTED || state == JobState.SUCCEEDED ? "worker-1" : null)
                .setError(error)
                .build();
    }

    private byte[] encode(JobEvent event) {
        return eventSerde.encode(Topics.events(event.getQueue()), event);
    }

    private void publishWithHeaders(String id, String type, Instant at) {
        Job job = Job.newBuilder()
                .setId(id)
                .setType(type)
                .setPayload(ByteBuffer.wrap(new byte[0]))
                .setCreatedAt(at)
                .build();
        Headers headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, id);
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, type);
        queue.pipeInput(
                new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), jobSerde.encode(QUEUE, job), headers, at));
    }

    private void publishReplayed(String id, long atMillis) {
        Headers headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, id);
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, "send_email");
        JobHeaders.putText(headers, JobHeaders.ATTEMPT, "1");
        JobHeaders.putText(headers, JobHeaders.REPLAYED_FROM, Topics.dlq(QUEUE) + "/0/0");
        queue.pipeInput(new TestRecord<>(
                id.getBytes(StandardCharsets.UTF_8), new byte[] {9}, headers, T0.plusMillis(atMillis)));
    }
}
