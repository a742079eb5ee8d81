package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The job events a processor writes to {@code <queue>.events} at each level. */
class JobEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EVENTS = Topics.events(MockKafka.QUEUE);

    private final List<JobProcessor> processors = new ArrayList<>();

    @AfterEach
    void close() {
        processors.forEach(p -> p.close(Duration.ofSeconds(5)));
    }

    private void start(MockKafka kafka, EventLevel level) {
        JobProcessor processor = kafka.builder(MockKafka.config().events(level).build())
                .handle("ok", (ctx, bytes) -> {})
                .handle("boom", (ctx, bytes) -> {
                    throw new IllegalStateException("card\n  declined");
                })
                .build();
        processors.add(processor);
        processor.start();
        kafka.assign(partition(0));
    }

    /** A succeeding job, a failing one (second attempt) and an expired one. */
    private static List<Job> publish(MockKafka kafka) {
        List<Job> jobs = List.of(
                MockKafka.job("a", "ok", "{}").build(),
                MockKafka.job("b", "boom", "{}").setAttempt(2).build(),
                MockKafka.job("c", "ok", "{}")
                        .setExpiresAt(Instant.now().minusSeconds(1))
                        .build());
        for (Job job : jobs) {
            kafka.add(
                    partition(0),
                    job.getOrderingKey().orElseThrow().getBytes(StandardCharsets.UTF_8),
                    kafka.encode(job));
        }
        return jobs;
    }

    @Test
    void atLevelAllWritesStartedAndEveryOutcomeKeyedByJobId() {
        // Given events at level all
        MockKafka kafka = new MockKafka(true);
        start(kafka, EventLevel.ALL);

        // When a job succeeds, one fails and one has expired
        List<Job> jobs = publish(kafka);

        // Then each started job has STARTED then its outcome; the expired one only EXPIRED; all keyed by job id
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        List<JobEvent> events = kafka.events();
        String ok = jobs.get(0).getId();
        String boom = jobs.get(1).getId();
        String expired = jobs.get(2).getId();
        assertThat(events.stream().filter(e -> e.getJobId().equals(ok)))
                .extracting(JobEvent::getState)
                .containsExactly(JobState.STARTED, JobState.SUCCEEDED);
        assertThat(events.stream().filter(e -> e.getJobId().equals(boom)))
                .extracting(JobEvent::getState, JobEvent::getAttempt)
                .containsExactly(tuple(JobState.STARTED, 2), tuple(JobState.FAILED, 2));
        assertThat(events.stream().filter(e -> e.getJobId().equals(expired)))
                .extracting(JobEvent::getState)
                .containsExactly(JobState.EXPIRED);
        JobEvent failed = events.stream()
                .filter(e -> e.getState() == JobState.FAILED)
                .findFirst()
                .orElseThrow();
        assertThat(failed.getError()).hasValue("HANDLER_ERROR java.lang.IllegalStateException: card declined");
        assertThat(failed.getWorkerId()).hasValue("worker-1");
        assertThat(failed.getQueue()).isEqualTo(MockKafka.QUEUE);
        assertThat(failed.getType()).isEqualTo("boom");
        assertThat(kafka.written(EVENTS))
                .allSatisfy(record -> assertThat(new String(record.key(), StandardCharsets.UTF_8))
                        .isIn(ok, boom, expired));
    }

    @Test
    void atLevelOutcomesWritesNoStartedEvents() {
        MockKafka kafka = new MockKafka(true);
        start(kafka, EventLevel.OUTCOMES);

        publish(kafka);

        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(kafka.events())
                .extracting(JobEvent::getState)
                .containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.FAILED, JobState.EXPIRED);
    }

    @Test
    void atLevelNoneWritesNoEvents() {
        MockKafka kafka = new MockKafka(true);
        start(kafka, EventLevel.NONE);

        publish(kafka);

        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 3);
        assertThat(kafka.written(EVENTS)).isEmpty();
        assertThat(kafka.failures()).hasSize(2);
    }

    @Test
    void aSucceededJobsOffsetCountsAsDoneOnlyOnceItsEventIsAcknowledged() {
        // Given a producer that acknowledges only when told
        MockKafka kafka = new MockKafka(false);
        start(kafka, EventLevel.OUTCOMES);

        // When a job succeeds
        kafka.addJob(partition(0), "a", "ok", "{}");

        // Then its SUCCEEDED event is sent but, while unacknowledged, the offset is not committed
        await().atMost(WAIT).until(() -> kafka.written(EVENTS).size() == 1);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> kafka.committed(partition(0)) == -1);

        // When the broker acknowledges it, the offset is committed
        kafka.producer.completeNext();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
    }

    @Test
    void refusesToStartWhenTheEventsTopicDoesNotExist() {
        // Given a cluster without <queue>.events
        MockKafka kafka = new MockKafka(true, false);
        JobProcessor processor = kafka.builder(
                        MockKafka.config().events(EventLevel.OUTCOMES).build())
                .handle("ok", (ctx, bytes) -> {})
                .build();
        processors.add(processor);

        // When the processor starts
        processor.start();

        // Then it stops at once, naming the topic and how to fix it
        await().atMost(WAIT).until(() -> !processor.isRunning());
        assertThat(processor.failure()).hasValueSatisfying(failure -> assertThat(failure)
                .hasMessageContaining(EVENTS)
                .hasMessageContaining("jobstream.worker.events: none"));
    }

    @Test
    void retriesAnOutcomeEventTheBrokerRefusedBeforeTheOffsetCounts() {
        // Given a producer that acknowledges only when told
        MockKafka kafka = new MockKafka(false);
        start(kafka, EventLevel.OUTCOMES);

        // When a job succeeds and the first send of its event fails
        kafka.addJob(partition(0), "a", "ok", "{}");
        await().atMost(WAIT).until(() -> kafka.written(EVENTS).size() == 1);
        kafka.producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker unavailable"));

        // Then it is sent again, and the offset is committed only once that is acknowledged
        await().atMost(WAIT).until(() -> kafka.written(EVENTS).size() == 2);
        assertThat(kafka.committed(partition(0))).isEqualTo(-1);
        kafka.producer.completeNext();
        await().atMost(WAIT).until(() -> kafka.committed(partition(0)) == 1);
    }
}
