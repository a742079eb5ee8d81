package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@JobstreamTest
class JobProcessorIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());
    private static final JobSerde<JobFailure> FAILURES = JobSerde.forFailure(SerdeConfig.singleObject());

    record Step(String key, int seq) {}

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        gates.forEach(gate -> {
            while (gate.getCount() > 0) {
                gate.countDown();
            }
        });
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private static ProcessorConfig.Builder config(KafkaCluster kafka, String queue) {
        return ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .workerId("it-worker");
    }

    private String queue(KafkaCluster kafka, TestTopics topics, int partitions) {
        String queue = topics.create("jobs", partitions);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        return queue;
    }

    private KafkaProducer<byte[], byte[]> producer(KafkaCluster kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        resources.add(producer);
        return producer;
    }

    private JobProcessor started(JobProcessor processor) {
        resources.add(() -> processor.close(Duration.ofSeconds(10)));
        return processor.start();
    }

    private static Job.Builder job(String key, String type, String json) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setOrderingKey(key)
                .setCreatedAt(Instant.now());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String queue, Job job) {
        send(producer, queue, job.getOrderingKey().orElse(job.getId()), JOBS.encode(queue, job));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String queue, String key, byte[] value) {
        producer.send(new ProducerRecord<>(queue, key.getBytes(StandardCharsets.UTF_8), value));
    }

    private List<JobFailure> readFailures(KafkaCluster kafka, String queue, int expected) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + queue);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<JobFailure> failures = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(new TopicPartition(Topics.failed(queue), 0)));
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    failures.add(FAILURES.decode(record.topic(), record.headers(), record.value()));
                }
                return failures.size() >= expected;
            });
        }
        return failures;
    }

    @Test
    void runsEveryJobOnceInKeyOrderAndCommitsToTheLogEnd(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given 100,000 jobs over 12 partitions with 2,000 keys, each carrying its per-key sequence number
        int partitions = 12;
        int keys = 2_000;
        int jobs = 100_000;
        String queue = queue(kafka, topics, partitions);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        int[] nextSeq = new int[keys];
        for (int i = 0; i < jobs; i++) {
            int key = i % keys;
            String json = "{\"key\":\"key-" + key + "\",\"seq\":" + nextSeq[key]++ + "}";
            send(producer, queue, job("key-" + key, "step", json).build());
        }
        producer.flush();

        // When a processor runs them
        Map<String, AtomicInteger> lastSeq = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        ProcessorConfig config = config(kafka, queue).concurrency(200).build();
        started(JobProcessor.builder(config)
                .handle("step", Step.class, (ctx, step) -> {
                    runs.computeIfAbsent(ctx.id(), id -> new AtomicInteger()).incrementAndGet();
                    int previous = lastSeq.computeIfAbsent(step.key(), k -> new AtomicInteger(-1))
                            .getAndSet(step.seq());
                    if (previous != step.seq() - 1) {
                        outOfOrder.incrementAndGet();
                    }
                    total.incrementAndGet();
                })
                .build());

        // Then every job ran exactly once, in key order, and the committed offsets reach the log end
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(jobs);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> kafka.committedOffsets(config.group())
                .equals(end));
        assertThat(total).hasValue(jobs);
        assertThat(runs).hasSize(jobs);
        assertThat(runs.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        assertThat(outOfOrder).hasValue(0);
        assertThat(lastSeq).hasSize(keys);
        assertThat(lastSeq.values()).allSatisfy(seq -> assertThat(seq).hasValue(jobs / keys - 1));
    }

    @Test
    void servesTheKafkaClientsOwnMetricsWhileRunningAndRemovesThemOnClose(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a processor whose registry is the Prometheus one a role serves on /metrics
        String queue = queue(kafka, topics, 1);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        for (int i = 0; i < 5; i++) {
            send(producer, queue, job("k", "good", "{}").build());
        }
        producer.flush();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> ran = new CopyOnWriteArrayList<>();
        JobProcessor processor =
                started(JobProcessor.builder(config(kafka, queue).build())
                        .meterRegistry(registry)
                        .handle("good", (ctx, bytes) -> ran.add(ctx.id()))
                        .build());

        // When it consumed the jobs
        await().atMost(WAIT).until(() -> ran.size() == 5);

        // Then the scrape holds its consumer's records consumed (5, with its client id) and its producer's sends
        await().atMost(WAIT).untilAsserted(() -> {
            String scrape = registry.scrape();
            assertThat(scrapedValue(scrape, "kafka_consumer_fetch_manager_records_consumed_total{"))
                    .isEqualTo(5.0);
            assertThat(scrape).contains("kafka_producer_record_send_total{");
        });
        // And once it is closed, no Kafka client series is left
        processor.close(Duration.ofSeconds(10));
        assertThat(registry.scrape()).doesNotContain("kafka_consumer_").doesNotContain("kafka_producer_");
    }

    /**
     * The sum of the series of {@code prefix} (name and "{") that have a client_id; 0 when none has, which the caller's
     * expected count then fails.
     */
    private static double scrapedValue(String scrape, String prefix) {
        return scrape.lines()
                .filter(line -> line.startsWith(prefix) && line.contains("client_id=\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void sendsPoisonJobsToTheFailedTopicAndRunsTheJobsBehindThem(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given one partition holding, all under one key, each kind of bad job followed by a good one
        String queue = queue(kafka, topics, 1);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        send(producer, queue, "k", "garbage bytes \u0000\u0001".getBytes(StandardCharsets.UTF_8));
        send(producer, queue, job("k", "good", "{\"n\":1}").build());
        send(producer, queue, job("k", "no_such_type", "{}").build());
        send(producer, queue, job("k", "good", "{\"n\":2}").build());
        send(
                producer,
                queue,
                job("k", "good", "{\"n\":99}")
                        .setExpiresAt(Instant.now().minusSeconds(60))
                        .build());
        send(producer, queue, job("k", "good", "{\"n\":3}").build());
        send(producer, queue, job("k", "throws", "{}").build());
        send(producer, queue, job("k", "good", "{\"n\":4}").build());
        send(producer, queue, job("k", "hangs", "{}").build());
        send(producer, queue, job("k", "good", "{\"n\":5}").build());
        producer.flush();

        // When a processor runs them (the hanging type times out after 1s)
        List<Integer> good = new CopyOnWriteArrayList<>();
        AtomicInteger interrupted = new AtomicInteger();
        record N(int n) {}
        ProcessorConfig config =
                config(kafka, queue).typeTimeout("hangs", Duration.ofSeconds(1)).build();
        started(JobProcessor.builder(config)
                .handle("good", N.class, (ctx, n) -> good.add(n.n()))
                .handle("throws", (ctx, bytes) -> {
                    throw new IllegalStateException("downstream refused");
                })
                .handle("hangs", (ctx, bytes) -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                })
                .build());

        // Then each bad job is in <queue>.failed with its reason, and every good job behind them ran
        List<JobFailure> failures = readFailures(kafka, queue, 5);
        assertThat(failures)
                .extracting(JobFailure::getReason, JobFailure::getSourceOffset, JobFailure::getRetryable)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(FailureReason.DECODE_ERROR, 0L, false),
                        org.assertj.core.groups.Tuple.tuple(FailureReason.UNKNOWN_TYPE, 2L, false),
                        org.assertj.core.groups.Tuple.tuple(FailureReason.EXPIRED, 4L, false),
                        org.assertj.core.groups.Tuple.tuple(FailureReason.HANDLER_ERROR, 6L, true),
                        org.assertj.core.groups.Tuple.tuple(FailureReason.TIMEOUT, 8L, true));
        assertThat(failures.get(0).getRawValue()).isPresent();
        assertThat(failures).allSatisfy(f -> assertThat(f.getWorkerId()).isEqualTo("it-worker"));
        await().atMost(WAIT).until(() -> good.size() == 5);
        assertThat(good).containsExactly(1, 2, 3, 4, 5);
        assertThat(interrupted).hasValue(1);
        await().atMost(WAIT)
                .until(() -> kafka.committedOffsets(config.group()).equals(Map.of(new TopicPartition(queue, 0), 10L)));
    }

    @Test
    void closeWithAShortDrainNeverCommitsPastAJobThatHasNotFinished(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a job, then a job that blocks until released, then another job (of another key) behind it
        String queue = queue(kafka, topics, 1);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        send(producer, queue, job("a", "work", "{}").build());
        send(producer, queue, job("b", "block", "{}").build());
        send(producer, queue, job("c", "work", "{}").build());
        producer.flush();
        CountDownLatch release = new CountDownLatch(1);
        gates.add(release);
        CountDownLatch blocking = new CountDownLatch(1);
        AtomicInteger worked = new AtomicInteger();
        ProcessorConfig config = config(kafka, queue).build();
        JobProcessor processor = started(JobProcessor.builder(config)
                .handle("work", (ctx, bytes) -> worked.incrementAndGet())
                .handle("block", (ctx, bytes) -> {
                    blocking.countDown();
                    release.await();
                })
                .build());
        assertThat(blocking.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> worked.get() == 2);

        // When it is closed with a short drain while the job still blocks
        processor.close(Duration.ofMillis(500));

        // Then the committed offset stops at the blocked job
        assertThat(kafka.committedOffsets(config.group())).isEqualTo(Map.of(new TopicPartition(queue, 0), 1L));

        // And a new processor in the group runs the blocked job again
        Set<String> rerun = ConcurrentHashMap.newKeySet();
        started(JobProcessor.builder(config)
                .handle("work", (ctx, bytes) -> rerun.add("work"))
                .handle("block", (ctx, bytes) -> rerun.add("block"))
                .build());
        await().atMost(WAIT)
                .until(() -> kafka.committedOffsets(config.group()).equals(Map.of(new TopicPartition(queue, 0), 3L)));
        assertThat(rerun).containsExactlyInAnyOrder("block", "work");
    }

    @Test
    void pausesPartitionsSoPendingJobsStayBoundedWhileHandlersAreSlow(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given 3,000 jobs on 2 partitions, 5 in flight at most, 50 pending per partition, 100 records per poll
        int jobs = 3_000;
        String queue = queue(kafka, topics, 2);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        for (int i = 0; i < jobs; i++) {
            send(producer, queue, job("k" + i, "slow", "{}").build());
        }
        producer.flush();
        CountDownLatch release = new CountDownLatch(1);
        gates.add(release);
        io.micrometer.core.instrument.MeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .property("max.poll.records", "100")
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .concurrency(5)
                .maxPendingPerPartition(50)
                .build();

        // When a processor runs them with handlers that block
        started(JobProcessor.builder(config)
                .meterRegistry(registry)
                .handle("slow", (ctx, bytes) -> release.await())
                .build());

        // Then the in-flight limit fills, and pending jobs stay within 2 x (50 + 100) while the handlers block
        await().atMost(WAIT)
                .until(() -> registry.get("jobstream.workers.active").gauge().value() == 5);
        await().atMost(WAIT)
                .until(() -> registry.get("jobstream.jobs.pending").gauge().value() >= 50);
        long pollThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jobstream-" + queue + "-poll"))
                .mapToLong(Thread::threadId)
                .findFirst()
                .orElseThrow();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(pollThread);
        long wallBefore = System.nanoTime();
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> registry.get("jobstream.jobs.pending").gauge().value() <= 2 * (50 + 100));
        // and the poll thread waits meanwhile rather than spinning: Kafka's KIP-848 consumer does not wait in
        // poll(timeout) while a paused partition has buffered records, which kept this thread near 100 % busy
        long pollCpu = threads.getThreadCpuTime(pollThread) - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        assertThat(pollCpu)
                .as("poll thread CPU ns over %d ns of wall time", wall)
                .isLessThan(wall / 5);

        // When the handlers are released, every job finishes and is committed
        release.countDown();
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> kafka.committedOffsets(config.group())
                .equals(end));
        assertThat(registry.get("jobstream.jobs.completed").counter().count()).isEqualTo(jobs);
    }
}
