package io.jobstream.dlq;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure router with records near and past the size limits, on a real broker: none blocks its partition. */
@JobstreamTest
class LargeRecordsIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1));
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int MIB = 1024 * 1024;
    private static final RetryPolicies POLICIES = new RetryPolicies(
            new RetryPolicy(
                    3,
                    new Backoff(Duration.ofMillis(200), 1.0, Duration.ofMillis(200), Backoff.Jitter.NONE),
                    Set.of(),
                    Set.of()),
            Map.of());

    @TempDir
    Path stateDir;

    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private final JobSerde<DeadLetter> deadLetters = JobSerde.forDeadLetter(SERDES);
    private DlqService service;

    @AfterEach
    void stop() {
        if (service != null) {
            assertThat(service.close(Duration.ofSeconds(30))).isTrue();
        }
    }

    private static Map<String, String> maxBytes(int bytes) {
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes));
    }

    private static Job large(int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 'x');
        return Job.newBuilder(job("resize", 1))
                .setPayload(ByteBuffer.wrap(payload))
                .build();
    }

    private ProducerRecord<byte[], byte[]> failed(String queue, JobFailure failure) {
        byte[] key = failure.getJob().orElseThrow().getId().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(Topics.failed(queue), key, failures.encode(Topics.failed(queue), failure));
    }

    @Test
    void largeAndUndecodableFailuresAreDeadLetteredWholeOrTrimmedAndTheFailuresBehindThemAreRouted(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue's topics with the limits `jobstream topics create` gives them at a 1 MiB payload limit, except
        // a <queue>.failed that takes 3 MiB (as one made by hand may)
        String queue = topics.unique("jobs");
        kafka.createTopic(queue, 1, 1, maxBytes(MIB + RecordLimits.JOB_ALLOWANCE));
        kafka.createTopic(Topics.failed(queue), 1, 1, maxBytes(3 * MIB));
        kafka.createTopic(Topics.dlq(queue), 1, 1, maxBytes(MIB + RecordLimits.FAILURE_ALLOWANCE));
        kafka.createTopic(Topics.events(queue), 1, 1);
        for (String tier : TIERS.topics(queue)) {
            kafka.createTopic(tier, 1, 1, maxBytes(MIB + RecordLimits.JOB_ALLOWANCE));
        }
        // and in <queue>.failed: a non-retryable failure of a 1.1 MB job, 1.1 MB of bytes that are no failure, a
        // non-retryable failure of a 2 MB job (too large for <queue>.dlq), then a small retryable failure
        Instant now = Instant.now();
        Job small = job("send_email", 1);
        byte[] garbage = new byte[1_100_000];
        Arrays.fill(garbage, (byte) 7);
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * MIB);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(failed(queue, failure(large(1_100_000), queue, now, FailureReason.UNKNOWN_TYPE, false)));
            producer.send(new ProducerRecord<>(Topics.failed(queue), "raw".getBytes(StandardCharsets.UTF_8), garbage));
            producer.send(failed(queue, failure(large(2_000_000), queue, now, FailureReason.UNKNOWN_TYPE, false)));
            producer.send(failed(queue, failure(small, queue, now)));
            producer.flush();
        }

        // When the dlq-service runs
        try (ItKafka.Collector onDlq = new ItKafka.Collector(kafka, Topics.dlq(queue));
                ItKafka.Collector onQueue = new ItKafka.Collector(kafka, queue)) {
            service = DlqService.builder(
                            DlqServiceConfig.builder(List.of(queue))
                                    .tiers(TIERS)
                                    .retry(POLICIES)
                                    .historyLimit(20)
                                    .stateDir(stateDir)
                                    .maxPollWait(Duration.ofMillis(500))
                                    .forwarderRetryBackoff(Duration.ofMillis(500))
                                    .build(),
                            KafkaSettings.builder()
                                    .bootstrapServers(kafka.bootstrapServers())
                                    .build())
                    .serdes(SERDES)
                    .build()
                    .start();

            // Then the small failure behind the large ones is retried: its job is back on the queue as attempt 2
            ItKafka.Received back =
                    await().atMost(WAIT).until(onQueue::poll, r -> !r.isEmpty()).getFirst();
            Job retried = jobs.decode(queue, back.headers(), back.record().value());
            assertThat(retried.getId()).isEqualTo(small.getId());
            assertThat(retried.getAttempt()).isEqualTo(2);

            // And the three large ones are dead letters: whole where they fit, trimmed where they do not
            List<ItKafka.Received> letters = await().atMost(WAIT).until(onDlq::poll, r -> r.size() >= 3);
            assertThat(letters).hasSize(3);
            DeadLetter whole = deadLetters.decode(
                    Topics.dlq(queue),
                    letters.get(0).headers(),
                    letters.get(0).record().value());
            assertThat(JobHeaders.text(letters.get(0).headers(), JobHeaders.TRIMMED))
                    .isEmpty();
            assertThat(whole.getLastFailure()
                            .getJob()
                            .orElseThrow()
                            .getPayload()
                            .remaining())
                    .isEqualTo(1_100_000);
            DeadLetter undecodable = deadLetters.decode(
                    Topics.dlq(queue),
                    letters.get(1).headers(),
                    letters.get(1).record().value());
            assertThat(undecodable.getLastFailure().getReason()).isEqualTo(FailureReason.DECODE_ERROR);
            assertThat(undecodable.getLastFailure().getRawValue().orElseThrow().remaining())
                    .isEqualTo(1_100_000);
            DeadLetter trimmed = deadLetters.decode(
                    Topics.dlq(queue),
                    letters.get(2).headers(),
                    letters.get(2).record().value());
            assertThat(JobHeaders.text(letters.get(2).headers(), JobHeaders.TRIMMED))
                    .contains(Topics.failed(queue) + "/0/2");
            assertThat(trimmed.getLastFailure()
                            .getJob()
                            .orElseThrow()
                            .getPayload()
                            .remaining())
                    .isZero();
            assertThat(trimmed.getLastFailure().getMessage()).contains("trimmed");
        }

        // And the router committed past every record of <queue>.failed
        await().atMost(WAIT)
                .until(
                        () -> kafka.committedOffsets(Names.dlqRouter(queue))
                                .get(new TopicPartition(Topics.failed(queue), 0)),
                        offset -> offset != null && offset >= 4L);
    }
}
