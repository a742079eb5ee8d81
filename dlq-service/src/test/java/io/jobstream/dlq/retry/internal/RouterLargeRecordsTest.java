package io.jobstream.dlq.retry.internal;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router with topic limits: nothing it writes is larger than its topic takes. */
class RouterLargeRecordsTest {
    private static final String QUEUE = "emails";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    /** What {@code <queue>.dlq} takes. */
    private static final int LIMIT = 100_000;
    /** What each delay tier takes. */
    private static final int TIER_LIMIT = 50_000;

    @TempDir
    Path stateDir;

    private final ManualClock clock = new ManualClock(T0);
    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private final JobSerde<JobEvent> events = JobSerde.forEvent(SERDES);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> failed;

    /** Starts the router with every tier taking {@link #TIER_LIMIT} bytes and the DLQ {@link #LIMIT}. */
    private void start() {
        RouterTopology.Settings settings = new RouterTopology.Settings(
                QUEUE,
                Names.dlqRouter(QUEUE),
                DelayTiers.defaults(),
                new RetryPolicies(
                        new RetryPolicy(
                                5,
                                new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.NONE),
                                Set.of(),
                                Set.of()),
                        Map.of()),
                20,
                Duration.ofDays(7),
                SERDES,
                clock,
                new Random(3),
                new RouterMetrics(new SimpleMeterRegistry(), QUEUE));
        Map<String, Long> limits = new HashMap<>();
        DelayTiers.defaults().topics(QUEUE).forEach(topic -> limits.put(topic, (long) TIER_LIMIT));
        limits.put(Topics.dlq(QUEUE), (long) LIMIT);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RouterTopology.build(settings, TopicLimits.of(limits)), props, T0);
        failed = driver.createInputTopic("emails.failed", new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestOutputTopic<byte[], byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void fail(JobFailure failure, RecordHeaders headers) {
        byte[] key = failure.getJob().orElseThrow().getId().getBytes(StandardCharsets.UTF_8);
        failed.pipeInput(new TestRecord<>(key, failures.encode("emails.failed", failure), headers, T0));
    }

    private static Job withPayload(Job job, int bytes) {
        return Job.newBuilder(job).setPayload(ByteBuffer.wrap(new byte[bytes])).build();
    }

    private List<TestRecord<byte[], byte[]>> allOf(String topic) {
        return output(topic).readRecordsToList();
    }

    @Test
    void aDeadLetterLargerThanTheDlqTakesIsWrittenTrimmedNamingTheFailureRecord() {
        // Given the router and a non-retryable failure of a job larger than <queue>.dlq takes
        start();
        Job job = withPayload(job("send_email", 1), LIMIT + 1);
        // When it is routed
        fail(failure(job, QUEUE, T0, FailureReason.UNKNOWN_TYPE, false), new RecordHeaders());
        // Then one dead letter is written, trimmed: no payload, marked with the failure record's address
        List<TestRecord<byte[], byte[]>> letters = allOf("emails.dlq");
        assertThat(letters).hasSize(1);
        TestRecord<byte[], byte[]> record = letters.getFirst();
        assertThat(record.value().length).isLessThan(LIMIT);
        assertThat(JobHeaders.text(record.headers(), JobHeaders.TRIMMED)).contains("emails.failed/0/0");
        DeadLetter letter = deadLetters.decode("emails.dlq", record.headers(), record.value());
        assertThat(letter.getLastFailure().getJob().orElseThrow().getId()).isEqualTo(job.getId());
        assertThat(letter.getLastFailure().getJob().orElseThrow().getPayload().remaining())
                .isZero();
        assertThat(letter.getLastFailure().getReason()).isEqualTo(FailureReason.UNKNOWN_TYPE);
        assertThat(letter.getLastFailure().getMessage()).contains("trimmed").contains("emails.failed/0/0");
        // And the job's DEAD_LETTERED event is written as for any dead letter
        TestRecord<byte[], byte[]> event = output("emails.events").readRecord();
        assertThat(events.decode("emails.events", event.headers(), event.value())
                        .getState())
                .isEqualTo(JobState.DEAD_LETTERED);
    }

    @Test
    void aRetryLargerThanItsTierTakesIsDeadLetteredInsteadOfRetried() {
        // Given the router and a retryable failure of a job that fits <queue>.dlq but, with its history, no tier
        start();
        Job job = withPayload(job("send_email", 1), TIER_LIMIT + 10_000);
        // When it is routed
        fail(failure(job, QUEUE, T0), new RecordHeaders());
        // Then nothing is written to any tier, and the job is dead-lettered whole with the reason
        for (String tier : DelayTiers.defaults().topics(QUEUE)) {
            assertThat(output(tier).isEmpty()).as(tier).isTrue();
        }
        List<TestRecord<byte[], byte[]>> letters = allOf("emails.dlq");
        assertThat(letters).hasSize(1);
        assertThat(JobHeaders.text(letters.getFirst().headers(), JobHeaders.TRIMMED))
                .isEmpty();
        DeadLetter letter = deadLetters.decode(
                "emails.dlq", letters.getFirst().headers(), letters.getFirst().value());
        assertThat(letter.getLastFailure().getJob().orElseThrow().getPayload().remaining())
                .isEqualTo(TIER_LIMIT + 10_000);
        TestRecord<byte[], byte[]> event = output("emails.events").readRecord();
        JobEvent dead = events.decode("emails.events", event.headers(), event.value());
        assertThat(dead.getState()).isEqualTo(JobState.DEAD_LETTERED);
        assertThat(dead.getError())
                .hasValueSatisfying(error -> assertThat(error).startsWith("TOO_LARGE_TO_RETRY"));
    }

    @Test
    void aFailureTheProcessorTrimmedKeepsItsMarkInItsDeadLetter() {
        // Given the router and a failure the processor wrote trimmed (not retryable, marked)
        start();
        JobFailure trimmed =
                Trimming.failure(failure(job("send_email", 1), QUEUE, T0), "RecordTooLargeException: too large");
        RecordHeaders headers = new RecordHeaders();
        Trimming.mark(headers, "emails/2/41");
        // When it is routed
        fail(trimmed, headers);
        // Then its dead letter carries the same mark, so a replay skips it
        List<TestRecord<byte[], byte[]>> letters = allOf("emails.dlq");
        assertThat(letters).hasSize(1);
        assertThat(JobHeaders.text(letters.getFirst().headers(), JobHeaders.TRIMMED))
                .contains("emails/2/41");
    }
}
