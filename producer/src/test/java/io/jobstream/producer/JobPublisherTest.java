package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.producer.internal.LeastLoaded;
import io.jobstream.runtime.MeterDocs;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobPublisherTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String BOOTSTRAP = "broker-1:9092,broker-2:9092";

    private final FakeTopicDirectory topics = new FakeTopicDirectory()
            .with("emails", 3)
            .with("emails.delay.5s", 3)
            .with("emails.delay.1h", 3);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LeastLoaded leastLoaded = new LeastLoaded();
    private MockProducer<String, byte[]> producer = mockProducer(true);
    private JobPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close();
        }
        // every meter registered is in the module's catalogue, with the catalogue's tags
        assertThat(MeterDocs.uncatalogued(registry, List.of(PublisherMeters.values())))
                .isEmpty();
    }

    @Test
    void publishesToTheQueueKeyedByOrderingKeyElseJobId() {
        // Given a publisher
        publisher = publisher(PublisherConfig.defaults());
        Job keyed = job().orderingKey("customer-42").build();
        Job unkeyed = job().build();

        // When both are published
        JobReceipt first = publisher.publishSync("emails", keyed);
        JobReceipt second = publisher.publishSync("emails", unkeyed);

        // Then each went to the queue topic with its key, without mirrored headers (off by default), and decodes back
        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly("emails", "emails");
        assertThat(sent).extracting(ProducerRecord::key).containsExactly("customer-42", unkeyed.getId());
        assertThat(sent.get(0).headers().toArray()).isEmpty();
        assertThat(decode(sent.get(0))).isEqualTo(keyed);
        assertThat(first.jobId()).isEqualTo(keyed.getId());
        assertThat(first.topic()).isEqualTo("emails");
        assertThat(first.queue()).isEqualTo("emails");
        assertThat(first.isDelayed()).isFalse();
        assertThat(second.jobId()).isEqualTo(unkeyed.getId());
    }

    @Test
    void mirrorsTheJobIdAndTypeAsHeadersWhenAskedTo() {
        // Given a publisher with mirrored headers on
        publisher = publisher(PublisherConfig.builder().mirrorHeaders(true).build());
        Job job = job().orderingKey("customer-42").build();

        // When a job is published
        publisher.publishSync("emails", job);

        // Then its record carries the id and type as headers
        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.JOB_ID)).contains(job.getId());
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.JOB_TYPE)).contains("send_email");
    }

    @Test
    void sendsADelayedJobToTheLargestTierNotLongerThanItsWaitWithTheDueTime() {
        // Given tiers 5s and 1h, and a job due in 59 minutes
        publisher = publisher(PublisherConfig.builder()
                .delayTiers(DelayTiers.of(Duration.ofSeconds(5), Duration.ofHours(1)))
                .build());
        Job job = job().notBefore(NOW.plus(Duration.ofMinutes(59))).build();

        // When published
        JobReceipt receipt = publisher.publishSync("emails", job);

        // Then it waits in the 5s tier, with the due time and target topic in headers
        ProducerRecord<String, byte[]> sent = producer.history().getFirst();
        assertThat(sent.topic()).isEqualTo("emails.delay.5s");
        assertThat(JobHeaders.instant(sent.headers(), JobHeaders.DUE_AT)).contains(NOW.plus(Duration.ofMinutes(59)));
        assertThat(JobHeaders.text(sent.headers(), JobHeaders.TARGET_TOPIC)).contains("emails");
        assertThat(receipt.topic()).isEqualTo("emails.delay.5s");
        assertThat(receipt.delayTier()).contains(Duration.ofSeconds(5));
        assertThat(decode(sent)).isEqualTo(job);
    }

    @Test
    void aJobDueWithinTheSmallestTierWaitsInTheSmallestTierNeverEarly() {
        // Given tiers 5s and 1h, and a job due in 850 ms
        publisher = publisher(PublisherConfig.builder()
                .delayTiers(DelayTiers.of(Duration.ofSeconds(5), Duration.ofHours(1)))
                .build());

        // When published
        JobReceipt receipt = publisher.publishSync(
                "emails", job().notBefore(NOW.plusMillis(850)).build());

        // Then the smallest tier holds it until its due time (the forwarder releases it then, not after 5 s)
        assertThat(receipt.topic()).isEqualTo("emails.delay.5s");
        assertThat(JobHeaders.instant(producer.history().getFirst().headers(), JobHeaders.DUE_AT))
                .contains(NOW.plusMillis(850));
    }

    @Test
    void aJobAlreadyDueGoesToTheQueue() {
        publisher = publisher(PublisherConfig.defaults());

        JobReceipt receipt =
                publisher.publishSync("emails", job().notBefore(NOW).build());

        assertThat(receipt.topic()).isEqualTo("emails");
        assertThat(JobHeaders.text(producer.history().getFirst().headers(), JobHeaders.DUE_AT))
                .isEmpty();
    }

    @Test
    void rejectsBeforeSendingWithAStableReason() {
        // Given a publisher with a 1 KiB payload limit
        publisher = publisher(PublisherConfig.builder().maxPayloadSize(1024).build());
        Job emptyType = Job.newBuilder(job().build()).setType("").build();
        Job tooLarge = job().payload(new byte[1025]).build();
        Job expired = job().expiresAt(NOW.minusSeconds(1)).build();
        Job delayedWithoutTierTopic = job().delay(Duration.ofSeconds(40)).build(); // 30s tier: no topic
        Job nullHeaders = job().build();
        nullHeaders.setHeaders(null); // a generated record's setter takes null

        // Then each is rejected with its reason and nothing is sent
        assertRejected(publisher.publish("emails", emptyType), Reason.EMPTY_TYPE);
        assertRejected(publisher.publish("emails", tooLarge), Reason.PAYLOAD_TOO_LARGE);
        assertRejected(publisher.publish("emails", expired), Reason.ALREADY_EXPIRED);
        assertRejected(publisher.publish("Emails_Q", job().build()), Reason.INVALID_QUEUE_NAME);
        assertRejected(publisher.publish("nope", job().build()), Reason.UNKNOWN_QUEUE);
        assertRejected(publisher.publish("emails", delayedWithoutTierTopic), Reason.UNKNOWN_QUEUE);
        assertRejected(publisher.publish("emails", nullHeaders), Reason.INVALID_JOB);
        assertThat(producer.history()).isEmpty();
        assertThat(registry.find("jobstream.jobs.published").tag("outcome", "rejected").counters().stream()
                        .mapToDouble(Counter::count)
                        .sum())
                .isEqualTo(7);
        assertThat(registry.get("jobstream.jobs.published")
                        .tags("queue", "unknown", "outcome", "rejected")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aPayloadAtTheLimitIsAccepted() {
        publisher = publisher(PublisherConfig.builder().maxPayloadSize(1024).build());

        assertThat(publisher.publish("emails", job().payload(new byte[1024]).build()))
                .succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void failsNamingTheBootstrapServersWhenTheBrokersDoNotAnswer() {
        // Given brokers that do not answer metadata requests
        topics.unreachable = true;
        publisher = publisher(PublisherConfig.defaults());

        // When a job is published, Then the future fails naming the bootstrap servers, retriable
        assertThat(publisher.publish("emails", job().build()))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause()
                .isInstanceOf(PublishFailedException.class)
                .withMessageContaining(BOOTSTRAP)
                .satisfies(e ->
                        assertThat(((PublishFailedException) e).isRetriable()).isTrue());
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void failsNamingTheBootstrapServersWhenKafkaDoesNotAcknowledge() {
        // Given a producer whose send will time out
        producer = mockProducer(false);
        publisher = publisher(PublisherConfig.defaults());
        CompletableFuture<JobReceipt> future = publisher.publish("emails", job().build());

        // When Kafka reports the delivery timeout
        producer.errorNext(new TimeoutException("Expiring 1 record(s) for emails-0: 120000 ms has passed"));

        // Then the future fails with the cause, the topic and the bootstrap servers
        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(PublishFailedException.class)
                .hasMessageContaining(BOOTSTRAP)
                .hasMessageContaining("topic emails")
                .hasMessageContaining("Expiring 1 record(s)")
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(registry.get("jobstream.jobs.published")
                        .tag("outcome", "failed")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aJobInFlightIsNotKeptAliveByThePublisher() throws InterruptedException {
        // Given a producer that has not acknowledged yet, and a published job no one else refers to
        producer = mockProducer(false);
        publisher = publisher(PublisherConfig.defaults());
        Job job = job().build();
        String id = job.getId();
        WeakReference<Job> published = new WeakReference<>(job);
        CompletableFuture<JobReceipt> future = publisher.publish("emails", job);
        job = null;

        // When the collector runs while the job waits for its acknowledgement
        for (int i = 0; i < 50 && published.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }

        // Then the job (and its payload) was collected: thousands of jobs in flight must not keep their payloads alive
        assertThat(published.get()).as("the job in flight was collected").isNull();
        assertThat(future).isNotDone();

        // And the acknowledgement still completes the future with the job's receipt
        producer.completeNext();
        assertThat(future.join().jobId()).isEqualTo(id);
        assertThat(registry.get("jobstream.jobs.published")
                        .tags("queue", "emails", "type", "send_email", "outcome", "acknowledged")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void roundRobinSpreadsJobsOfOneKeyOverEveryPartition() {
        publisher = publisher(PublisherConfig.builder()
                .partitionStrategy(PartitionStrategy.ROUND_ROBIN)
                .build());

        for (int i = 0; i < 6; i++) {
            publisher.publishSync("emails", job().orderingKey("same").build());
        }

        assertThat(producer.history()).extracting(ProducerRecord::partition).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void hashLeavesThePartitionToKafkasPartitionerSoOneKeyStaysOnOnePartition() {
        publisher = publisher(PublisherConfig.defaults());

        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            partitions.add(publisher
                    .publishSync("emails", job().orderingKey("customer-7").build())
                    .partition());
        }

        assertThat(producer.history()).extracting(ProducerRecord::partition).containsOnlyNulls();
        assertThat(Set.copyOf(partitions)).hasSize(1);
    }

    @Test
    void leastLoadedPicksTheSmallestLagAndFallsBackToHashWithoutASnapshot() {
        // Given the least-loaded strategy and no lag snapshot yet
        publisher = publisher(PublisherConfig.builder()
                .partitionStrategy(PartitionStrategy.LEAST_LOADED)
                .build());
        publisher.publishSync("emails", job().build());
        assertThat(producer.history().getLast().partition()).isNull();

        // When a snapshot says partition 1 is empty and partition 2 has 2 waiting
        leastLoaded.update("emails", new long[] {10, 0, 2});
        IntStream.range(0, 5).forEach(i -> publisher.publishSync("emails", job().build()));

        // Then jobs fill partition 1 up to the others' backlog, then share
        assertThat(producer.history().subList(1, 4))
                .extracting(ProducerRecord::partition)
                .containsExactly(1, 1, 2);
        assertThat(producer.history().subList(4, 6))
                .extracting(ProducerRecord::partition)
                .isSubsetOf(1, 2);
    }

    @Test
    void publishAllGivesOneOutcomePerJobInOrderAndChecksEachTopicOnce() {
        // Given a batch with a rejected job in the middle
        publisher = publisher(PublisherConfig.defaults());
        List<Job> jobs = new ArrayList<>();
        IntStream.range(0, 100).forEach(i -> jobs.add(job().build()));
        jobs.set(50, Job.newBuilder(jobs.get(50)).setType(" ").build());

        // When published together
        List<PublishOutcome> outcomes = publisher.publishAll("emails", jobs).join();

        // Then 99 are published, one rejected, in the batch's order, after one topic lookup
        assertThat(outcomes).hasSize(100);
        assertThat(outcomes)
                .extracting(PublishOutcome::jobId)
                .containsExactlyElementsOf(jobs.stream().map(Job::getId).toList());
        assertThat(outcomes.get(50)).isInstanceOfSatisfying(PublishOutcome.Rejected.class, r -> assertThat(
                        r.error().reason())
                .isEqualTo(Reason.EMPTY_TYPE));
        assertThat(outcomes.stream().filter(PublishOutcome::isPublished)).hasSize(99);
        assertThat(topics.lookups.get()).isEqualTo(1);
        assertThat(registry.get("jobstream.jobs.published")
                        .tags("queue", "emails", "type", "send_email", "outcome", "acknowledged")
                        .counter()
                        .count())
                .isEqualTo(99);
    }

    @Test
    void aBatchStopsWaitingForATopicOnceKafkaCouldNotTakeOneOfItsJobs() {
        // Given a producer that, like Kafka without metadata, fails each send after max.block.ms inside send()
        AtomicInteger sends = new AtomicInteger();
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                sends.incrementAndGet();
                TimeoutException timeout = new TimeoutException("Topic emails not present in metadata after 4000 ms.");
                callback.onCompletion(null, timeout);
                return CompletableFuture.failedFuture(timeout);
            }
        };
        publisher = publisher(PublisherConfig.defaults());
        List<Job> jobs = IntStream.range(0, 100).mapToObj(i -> job().build()).toList();

        // When a batch is published
        List<PublishOutcome> outcomes = publisher.publishAll("emails", jobs).join();

        // Then only the first job waited on Kafka; every job is reported failed, naming the bootstrap servers
        assertThat(sends).hasValue(1);
        assertThat(outcomes).hasSize(100).allSatisfy(outcome -> assertThat(outcome)
                .isInstanceOfSatisfying(PublishOutcome.Failed.class, failed -> assertThat(
                                failed.error().getMessage())
                        .contains(BOOTSTRAP, "not present in metadata")));
        assertThat(outcomes.get(1)).isInstanceOfSatisfying(PublishOutcome.Failed.class, failed -> assertThat(
                        failed.error().getMessage())
                .contains("was not sent: an earlier job of this batch"));
    }

    @Test
    void aRecordOverTheTopicsMaxMessageBytesIsRejectedBeforeSending() {
        // Given a queue topic that takes records of at most 64 KiB
        topics.maxMessageBytes.put("emails", 64L * 1024);
        publisher = publisher(PublisherConfig.defaults());

        // When a job of 100 KB is published
        CompletableFuture<JobReceipt> receipt =
                publisher.publish("emails", job().payload(new byte[100_000]).build());

        // Then it is RECORD_TOO_LARGE naming the topic's limit, and nothing was sent
        assertRejected(receipt, Reason.RECORD_TOO_LARGE);
        assertThatThrownBy(receipt::join).cause().hasMessageContaining("max.message.bytes of 65536");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aRecordWhoseHeadersTakeItOverMaxRequestSizeIsRejectedBeforeSending() {
        // Given a publisher whose producer takes requests of at most 1 MiB + 64 KiB
        publisher = publisher(PublisherConfig.defaults());
        Jobs.Builder job = job().payload(new byte[1024 * 1024 - 100]);
        for (int i = 0; i < 60; i++) {
            job.header("h" + i, "v".repeat(4_000));
        }

        // When a job with a payload under the payload limit and 240 KB of headers is published
        CompletableFuture<JobReceipt> receipt = publisher.publish("emails", job.build());

        // Then it is RECORD_TOO_LARGE, not a Kafka failure naming the brokers, and nothing was sent
        assertRejected(receipt, Reason.RECORD_TOO_LARGE);
        assertThatThrownBy(receipt::join)
                .cause()
                .hasMessageContaining("max.request.size")
                .hasMessageNotContaining(BOOTSTRAP);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aRecordTheBrokerRefusesAsTooLargeIsRejectedNotFailed() {
        // Given a producer whose next send the broker refuses as too large
        producer = mockProducer(false);
        publisher = publisher(PublisherConfig.defaults());

        // When a job is published and the broker answers
        CompletableFuture<JobReceipt> receipt = publisher.publish("emails", job().build());
        producer.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large for the broker"));

        // Then it is RECORD_TOO_LARGE (never retriable), not a PublishFailedException naming the brokers
        assertRejected(receipt, Reason.RECORD_TOO_LARGE);
        assertThatThrownBy(receipt::join).cause().hasMessageNotContaining(BOOTSTRAP);
    }

    @Test
    void aClosedPublisherFailsNewJobsAndClosingTwiceIsHarmless() {
        publisher = publisher(PublisherConfig.defaults());
        publisher.close();
        publisher.close();

        assertThatThrownBy(() -> publisher.publishSync("emails", job().build()))
                .isInstanceOf(PublishFailedException.class)
                .hasMessageContaining("closed");
        assertThat(producer.closed()).isTrue();
    }

    private Jobs.Builder job() {
        return Jobs.builder("send_email").clock(CLOCK).jsonPayload("{\"to\":\"a@example.com\"}");
    }

    private JobPublisher publisher(PublisherConfig config) {
        return new JobPublisher(config, producer, topics, leastLoaded, registry, CLOCK, BOOTSTRAP, List.of());
    }

    private static MockProducer<String, byte[]> mockProducer(boolean autoComplete) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : List.of("emails", "emails.delay.5s", "emails.delay.1h")) {
            for (int p = 0; p < 3; p++) {
                partitions.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
            }
        }
        Cluster cluster = new Cluster("test", List.of(node), partitions, Set.of(), Set.of());
        return new MockProducer<>(cluster, autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    private static Job decode(ProducerRecord<String, byte[]> record) {
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            return serde.decode(record.topic(), record.headers(), record.value());
        }
    }

    private static void assertRejected(CompletableFuture<JobReceipt> future, Reason reason) {
        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join).cause().isInstanceOfSatisfying(JobRejectedException.class, e -> assertThat(
                        e.reason())
                .isEqualTo(reason));
    }
}
