package io.jobstream.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.processor.ProcessorMeters;
import io.jobstream.processor.internal.AcknowledgedWriter.Write;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AcknowledgedWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOPIC = "jobs.failed";
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "value".getBytes(StandardCharsets.UTF_8);

    private final RunnerFixture kafka = new RunnerFixture(false);
    private final AcknowledgedWriter writer = kafka.writer();
    private final Work work = RunnerFixture.work(7, KEY, VALUE);
    private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        kafka.abandonment.abandon();
        jobThreads.close();
    }

    private <T> CompletableFuture<T> onJobThread(Supplier<T> write) {
        return CompletableFuture.supplyAsync(write, jobThreads);
    }

    private CompletableFuture<Write> write() {
        return onJobThread(() -> writer.write(work, TOPIC, KEY, () -> VALUE, new RecordHeaders()));
    }

    @Test
    void retriesAFailedSendWithBackoffUntilTheBrokerAcknowledgesIt() {
        // Given a record being written, whose first send the broker fails
        CompletableFuture<Write> written = write();
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        assertThat(kafka.producer.errorNext(new NetworkException("broker gone")))
                .isTrue();

        // When the writer has sent it again and the broker acknowledges that
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        assertThat(written).isNotDone();
        kafka.producer.completeNext();

        // Then the write is done, the same record sent twice
        assertThat(written).succeedsWithin(WAIT).isInstanceOf(Write.Done.class);
        assertThat(kafka.sent(TOPIC)).extracting(ProducerRecord::value).containsExactly(VALUE, VALUE);
        assertThat(kafka.sent(TOPIC)).extracting(ProducerRecord::key).containsExactly(KEY, KEY);
    }

    @Test
    void givesUpRetryingOnceTheRunnerIsAbandoned() {
        // Given a write whose sends the broker keeps failing
        CompletableFuture<Write> written = write();
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new NetworkException("broker gone"));

        // When the runner gives up
        kafka.abandonment.abandon();

        // Then the write ends without an acknowledgement
        assertThat(written).succeedsWithin(WAIT).isInstanceOf(Write.GaveUp.class);
    }

    @Test
    void stopsWaitingForAnAcknowledgementOnceTheRunnerIsAbandoned() {
        // Given a write the broker never answers
        CompletableFuture<Write> written = write();
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);

        // When the runner gives up, then the write ends
        kafka.abandonment.abandon();
        assertThat(written).succeedsWithin(WAIT).isInstanceOf(Write.GaveUp.class);
    }

    @Test
    void aRecordRefusedForGoodIsNotSentAgain() {
        // Given a record the broker refuses as too large
        CompletableFuture<Write> written = write();
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        RecordTooLargeException tooLarge = new RecordTooLargeException("too large");
        kafka.producer.errorNext(tooLarge);

        // Then the write ends refused, with the cause, after one send
        assertThat(written).succeedsWithin(WAIT).isEqualTo(new Write.Refused(tooLarge));
        assertThat(kafka.producer.history()).hasSize(1);
    }

    @Test
    void aRefusedRecordIsRetriedWhenRefusalsAreRetried() {
        // Given a record (already as small as it gets) the broker refuses once as too large
        CompletableFuture<Write> written =
                onJobThread(() -> writer.writeRetryingRefusals(work, TOPIC, KEY, () -> VALUE, new RecordHeaders()));
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new RecordTooLargeException("too large"));

        // When it was sent again and acknowledged, then the write is done
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 2);
        kafka.producer.completeNext();
        assertThat(written).succeedsWithin(WAIT).isInstanceOf(Write.Done.class);
    }

    @Test
    void aRecordRefusedForGoodIsDroppedAndCountsAsWrittenWhereDroppingIsAllowed() {
        // Given an event the broker refuses as too large
        CompletableFuture<Boolean> written =
                onJobThread(() -> writer.writeOrDrop(work, TOPIC, KEY, () -> VALUE, new RecordHeaders()));
        await().atMost(WAIT).until(() -> kafka.producer.history().size() == 1);
        kafka.producer.errorNext(new RecordTooLargeException("too large"));

        // Then it counts as written, sent once
        assertThat(written).succeedsWithin(WAIT).isEqualTo(true);
        assertThat(kafka.producer.history()).hasSize(1);
    }

    @Test
    void aRevokedPartitionsJobWritesNothingAndTheDropIsCounted() {
        // Given a job whose partition was revoked
        work.progress().writes().close(Duration.ZERO);

        // When it writes, acknowledged or not
        CompletableFuture<Write> written = write();
        boolean sent = writer.send(work, new ProducerRecord<>(TOPIC, KEY, VALUE), (metadata, exception) -> {});

        // Then nothing was sent and both writes were counted as dropped
        assertThat(written).succeedsWithin(WAIT).isInstanceOf(Write.GaveUp.class);
        assertThat(sent).isFalse();
        assertThat(kafka.producer.history()).isEmpty();
        assertThat(kafka.count(ProcessorMeters.WRITES_DROPPED.spec().name(), "queue", RunnerFixture.QUEUE))
                .isEqualTo(2.0);
    }
}
