package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.processor.EventLevel;
import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.processor.internal.Outcome.Released;
import io.jobstream.processor.internal.Outcome.Succeeded;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventSenderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EVENTS = "jobs.events";

    private RunnerFixture kafka;
    private EventSender events;
    private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();

    private EventSender sender(boolean autoComplete, EventLevel level) {
        kafka = new RunnerFixture(autoComplete);
        events = kafka.events(level);
        return events;
    }

    @AfterEach
    void close() {
        kafka.abandonment.abandon();
        events.close();
        jobThreads.close();
    }

    @Test
    void aSucceededJobIsReleasedAtOnceAndSucceedsOnlyOnceItsEventIsAcknowledged() {
        // Given events at level OUTCOMES and a broker that answers when told
        sender(false, EventLevel.OUTCOMES);
        Job job = RunnerFixture.job("send_email").build();
        Work work = kafka.work(3, job);

        // When the job succeeded
        Outcome outcome = events.succeeded(work, job, kafka.done);

        // Then it is released at once, and succeeds once its SUCCEEDED event (keyed by its id) is acknowledged
        assertThat(outcome).isNull();
        assertThat(kafka.completions).containsExactly(new Completion(work, new Released()));
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        ProducerRecord<byte[], byte[]> sent = kafka.producer.history().getFirst();
        assertThat(sent.topic()).isEqualTo(EVENTS);
        assertThat(new String(sent.key(), StandardCharsets.UTF_8)).isEqualTo(job.getId());
        JobEvent event = kafka.event(sent);
        assertThat(event.getState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(event.getWorkerId()).hasValue("worker-1");
        assertThat(event.getAt()).isEqualTo(RunnerFixture.NOW);
        assertThat(kafka.completions).hasSize(1);
        kafka.producer.completeNext();
        await().atMost(WAIT).until(() -> kafka.completions.size() == 2);
        assertThat(kafka.completions.get(1)).isEqualTo(new Completion(work, new Succeeded(), true));
    }

    @Test
    void aRefusedSucceededEventIsRetriedUntilAcknowledged() {
        // Given a succeeded job whose event's first send the broker fails
        sender(false, EventLevel.OUTCOMES);
        Job job = RunnerFixture.job("send_email").build();
        Work work = kafka.work(3, job);
        events.succeeded(work, job, kafka.done);
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new NetworkException("broker gone"));

        // When the event was sent again and acknowledged
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        kafka.producer.completeNext();

        // Then the job succeeds, once
        await().atMost(WAIT).until(() -> kafka.completions.size() == 2);
        assertThat(kafka.completions.get(1)).isEqualTo(new Completion(work, new Succeeded(), true));
        assertThat(kafka.sent(EVENTS))
                .extracting(kafka::event)
                .extracting(JobEvent::getState)
                .containsExactly(JobState.SUCCEEDED, JobState.SUCCEEDED);
    }

    @Test
    void theSenderDrainsEverySucceededJobsEvent() {
        // Given a broker that acknowledges at once
        sender(true, EventLevel.OUTCOMES);

        // When a hundred jobs succeed
        for (int offset = 0; offset < 100; offset++) {
            Job job = RunnerFixture.job("send_email").setId("job-" + offset).build();
            events.succeeded(kafka.work(offset, job), job, kafka.done);
        }

        // Then each is released and then succeeds, its event sent
        await().atMost(WAIT).until(() -> kafka.completions.size() == 200);
        assertThat(kafka.completions)
                .filteredOn(c -> c.outcome() instanceof Succeeded)
                .hasSize(100)
                .allMatch(Completion::released);
        assertThat(kafka.sent(EVENTS)).hasSize(100);
    }

    @Test
    void closingEndsTheJobsWhoseEventsWereNotSent() {
        // Given a sender that was closed
        sender(true, EventLevel.OUTCOMES);
        kafka.abandonment.abandon();
        events.close();
        Job job = RunnerFixture.job("send_email").build();
        Work work = kafka.work(3, job);

        // When a job succeeds then
        events.succeeded(work, job, kafka.done);

        // Then it is released, and abandoned: never counted as done
        assertThat(kafka.completions).hasSize(2);
        assertThat(kafka.completions.get(1).outcome()).isInstanceOf(Outcome.Abandoned.class);
        assertThat(kafka.completions.get(1).outcome().finished()).isFalse();
    }

    @Test
    void withEventsOffASucceededJobSucceedsAtOnceAndNothingIsWritten() {
        // Given events off
        sender(true, EventLevel.NONE);
        Job job = RunnerFixture.job("send_email").build();

        // When a job succeeds, starts or fails
        Outcome outcome = events.succeeded(kafka.work(3, job), job, kafka.done);
        events.started(kafka.work(4, job), job);
        boolean failed = events.failed(kafka.work(5, job), job, FailureReason.TIMEOUT, null, "slow");

        // Then it succeeded at once and no event was written
        assertThat(outcome).isEqualTo(new Succeeded());
        assertThat(failed).isTrue();
        assertThat(kafka.completions).isEmpty();
        assertThat(kafka.producer.history()).isEmpty();
        assertThat(events.enabled()).isFalse();
    }

    @Test
    void startedEventsAreSentWithoutWaitingAndARefusedOneIsOnlyCounted() {
        // Given events at level ALL
        sender(false, EventLevel.ALL);
        Job job = RunnerFixture.job("send_email").build();

        // When a job starts and the broker refuses its STARTED event
        events.started(kafka.work(3, job), job);
        kafka.producer.errorNext(new NetworkException("broker gone"));

        // Then the event was sent once, and its refusal counted
        assertThat(kafka.sent(EVENTS))
                .extracting(kafka::event)
                .extracting(JobEvent::getState)
                .containsExactly(JobState.STARTED);
        assertThat(kafka.count(ProcessorMeters.EVENT_ERRORS.spec().name(), "queue", RunnerFixture.QUEUE))
                .isEqualTo(1.0);
    }

    @Test
    void aFailedJobsEventIsAcknowledgedAndSummarisesTheErrorOnOneLine() {
        // Given events at level OUTCOMES
        sender(true, EventLevel.OUTCOMES);
        Job job = RunnerFixture.job("charge").build();

        // When the job's failure event is written
        CompletableFuture<Boolean> written = CompletableFuture.supplyAsync(
                () -> events.failed(
                        kafka.work(3, job),
                        job,
                        FailureReason.HANDLER_ERROR,
                        new IllegalStateException("card\n  declined"),
                        "card\n  declined"),
                jobThreads);

        // Then it was acknowledged, FAILED, with the reason, exception class and message on one line
        assertThat(written).succeedsWithin(WAIT).isEqualTo(true);
        JobEvent event = kafka.event(kafka.sent(EVENTS).getFirst());
        assertThat(event.getState()).isEqualTo(JobState.FAILED);
        assertThat(event.getError()).hasValue("HANDLER_ERROR java.lang.IllegalStateException: card declined");
        assertThat(event.getAttempt()).isEqualTo(job.getAttempt());
    }
}
