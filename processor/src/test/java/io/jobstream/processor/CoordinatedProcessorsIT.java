package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.RedisServer;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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

/**
 * Issue 5's processor acceptance against a real broker and a real redis-server: a lock per account across two
 * processors, and an idempotent type across a forced rebalance with redelivery. A {@link TierForwarder} brings
 * deferred jobs back from the 1 s tier.
 */
@JobstreamTest
class CoordinatedProcessorsIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final JobSerde<Job> JOBS = JobSerde.forJob(SerdeConfig.singleObject());
    private static final JobSerde<JobEvent> EVENTS = JobSerde.forEvent(SerdeConfig.singleObject());

    record Charge(String accountId) {}

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();
    private TierForwarder forwarder;

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

    private String queue(KafkaCluster kafka, TestTopics topics, int partitions) {
        String queue = topics.create("coordinated", partitions);
        kafka.createTopic(Topics.failed(queue), 1, 1);
        kafka.createTopic(Topics.events(queue), 1, 1);
        kafka.createTopic(Topics.delay(queue, Duration.ofSeconds(1)), 1, 1);
        forwarder = new TierForwarder(kafka, Topics.delay(queue, Duration.ofSeconds(1)), queue);
        resources.add(forwarder);
        return queue;
    }

    private Coordination coordination(RedisServer redis) {
        Coordination coordination = Coordination.redis(CoordinationConfig.of(redis.uri()));
        resources.add(coordination); // closed after the processors (resources close in reverse)
        return coordination;
    }

    private static ProcessorConfig config(KafkaCluster kafka, String queue, String workerId) {
        return ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .build())
                .commitInterval(Duration.ofMillis(100))
                .revokeTimeout(Duration.ofMillis(500))
                .coordinationWait(Duration.ofMillis(100))
                .deferDelay(Duration.ofSeconds(1))
                .concurrency(16)
                .workerId(workerId)
                .build();
    }

    private JobProcessor started(JobProcessor processor) {
        resources.add(() -> processor.close(Duration.ofSeconds(10)));
        return processor.start();
    }

    private KafkaProducer<byte[], byte[]> producer(KafkaCluster kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        resources.add(producer);
        return producer;
    }

    private static Job job(String type, String json) {
        return Job.newBuilder()
                .setId(Ulid.next())
                .setType(type)
                .setPayload(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setCreatedAt(Instant.now())
                .build();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String queue, Integer partition, Job job)
            throws Exception {
        producer.send(new ProducerRecord<>(
                        queue, partition, job.getId().getBytes(StandardCharsets.UTF_8), JOBS.encode(queue, job)))
                .get();
    }

    private static int assignedPartitions(MeterRegistry registry) {
        return registry.find("jobstream.worker.partition.lag").gauges().size();
    }

    private static double count(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    @Test
    void aTypeLockedPerAccountNeverRunsTwoJobsOfOneAccountAtOnceAcrossTwoProcessors(
            KafkaCluster kafka, TestTopics topics, RedisServer redis) throws Exception {
        // Given two processors (each with its own Redis client), a type locked per account, and a handler that
        // counts the jobs of each account running at once
        String queue = queue(kafka, topics, 4);
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, Integer> maxRunning = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<MeterRegistry> registries = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry());
        for (int i = 0; i < 2; i++) {
            started(JobProcessor.builder(config(kafka, queue, "worker-" + i))
                    .meterRegistry(registries.get(i))
                    .coordination(coordination(redis))
                    .lock("charge", KeyTemplate.parse("acct-${payload.accountId}"), Duration.ofSeconds(10))
                    .handle("charge", Charge.class, (ctx, charge) -> {
                        int now = running.computeIfAbsent(charge.accountId(), a -> new AtomicInteger())
                                .incrementAndGet();
                        maxRunning.merge(charge.accountId(), now, Math::max);
                        Thread.sleep(40); // the job's work, inside the critical section
                        running.get(charge.accountId()).decrementAndGet();
                        runs.computeIfAbsent(ctx.id(), id -> new AtomicInteger())
                                .incrementAndGet();
                    })
                    .build());
        }
        await().atMost(WAIT)
                .until(() -> assignedPartitions(registries.get(0)) > 0 && assignedPartitions(registries.get(1)) > 0);

        // When 15 jobs of each of 4 accounts arrive, keyed by job id so every account's jobs reach both processors
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        Set<String> published = new HashSet<>();
        for (int n = 0; n < 15; n++) {
            for (String account : List.of("a", "b", "c", "d")) {
                Job job = job("charge", "{\"accountId\":\"" + account + "\"}");
                published.add(job.getId());
                send(producer, queue, null, job);
            }
        }

        // Then every job ran exactly once, never two of one account at once, and some had to be deferred
        await().atMost(WAIT).until(() -> runs.keySet().equals(published));
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        await().atMost(WAIT)
                .until(() -> kafka.committedOffsets(Names.workerGroup(queue)).equals(end));
        assertThat(runs.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        assertThat(maxRunning).containsOnlyKeys("a", "b", "c", "d");
        assertThat(maxRunning.values()).containsOnly(1);
        double deferred = count(registries.get(0), "jobstream.jobs.deferred")
                + count(registries.get(1), "jobstream.jobs.deferred");
        assertThat(deferred).isPositive();
        // and each job has exactly one SUCCEEDED event (a deferral writes none)
        Map<String, Integer> succeeded = new HashMap<>();
        for (JobEvent event : readEvents(kafka, queue, published.size())) {
            if (event.getState() == JobState.SUCCEEDED) {
                succeeded.merge(event.getJobId(), 1, Integer::sum);
            }
        }
        assertThat(succeeded.keySet()).isEqualTo(published);
        assertThat(succeeded.values()).containsOnly(1);
        System.out.printf(
                "lock-per-account: jobs=%d deferred=%.0f forwarded-back=%d%n",
                published.size(), deferred, forwarder.forwarded());
    }

    @Test
    void anIdempotentTypeRunsEachIdOnceAcrossARebalanceWithRedelivery(
            KafkaCluster kafka, TestTopics topics, RedisServer redis) throws Exception {
        // Given processor A on two partitions, whose first job on each partition blocks, so nothing is committed
        // past it while the 20 jobs behind it succeed
        String queue = queue(kafka, topics, 2);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        Map<String, AtomicInteger> completed = new ConcurrentHashMap<>();
        CountDownLatch never = new CountDownLatch(1);
        gates.add(never);
        Set<String> blockers = ConcurrentHashMap.newKeySet();
        Set<String> published = new HashSet<>();
        for (int partition = 0; partition < 2; partition++) {
            Job blocker = job("charge", "{}");
            blockers.add(blocker.getId());
            published.add(blocker.getId());
            send(producer, queue, partition, blocker);
            for (int n = 0; n < 20; n++) {
                Job job = job("charge", "{}");
                published.add(job.getId());
                send(producer, queue, partition, job);
            }
        }
        MeterRegistry registryA = new SimpleMeterRegistry();
        JobProcessor first = started(JobProcessor.builder(config(kafka, queue, "worker-a"))
                .meterRegistry(registryA)
                .coordination(coordination(redis))
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> {
                    if (blockers.contains(ctx.id())) {
                        never.await(); // ends only when the processor abandons it (interrupt)
                    }
                    completed
                            .computeIfAbsent(ctx.id(), id -> new AtomicInteger())
                            .incrementAndGet();
                })
                .build());
        await().atMost(WAIT).until(() -> completed.size() == 40);
        assertThat(kafka.committedOffsets(Names.workerGroup(queue)).values()).allMatch(offset -> offset == 0);

        // When processor B joins (a rebalance moves a partition to it) and A is then closed with its blocked jobs
        // abandoned, so B is handed every record again from offset 0
        MeterRegistry registryB = new SimpleMeterRegistry();
        started(JobProcessor.builder(config(kafka, queue, "worker-b"))
                .meterRegistry(registryB)
                .coordination(coordination(redis))
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> completed
                        .computeIfAbsent(ctx.id(), id -> new AtomicInteger())
                        .incrementAndGet())
                .build());
        await().atMost(WAIT).until(() -> assignedPartitions(registryB) > 0);
        first.close(Duration.ofSeconds(1));

        // Then every id completed exactly once: B skipped the 40 that A had done and ran the two A abandoned
        await().atMost(WAIT).until(() -> completed.keySet().equals(published));
        Map<TopicPartition, Long> end = kafka.endOffsets(queue);
        await().atMost(WAIT)
                .until(() -> kafka.committedOffsets(Names.workerGroup(queue)).equals(end));
        assertThat(completed.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        assertThat(count(registryB, "jobstream.jobs.skipped")).isGreaterThanOrEqualTo(40);
        System.out.printf(
                "idempotent-rebalance: jobs=%d skipped=%.0f deferred=%.0f%n",
                published.size(),
                count(registryB, "jobstream.jobs.skipped"),
                count(registryB, "jobstream.jobs.deferred"));
    }

    @Test
    void theSameJobIdsInTwoQueuesRunInBothWithTheIdempotencyGuardOn(
            KafkaCluster kafka, TestTopics topics, RedisServer redis) throws Exception {
        // Given two queues whose idempotent jobs carry the same ids, and queue A's jobs already run to success
        String queueA = queue(kafka, topics, 1);
        String queueB = queue(kafka, topics, 1);
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        List<Job> jobs = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            jobs.add(job("charge", "{}"));
        }
        Map<String, Set<String>> ran = new ConcurrentHashMap<>();
        Coordination store = coordination(redis);
        MeterRegistry registryA = new SimpleMeterRegistry();
        started(JobProcessor.builder(config(kafka, queueA, "worker-a"))
                .meterRegistry(registryA)
                .coordination(store)
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> ran.computeIfAbsent(ctx.queue(), q -> ConcurrentHashMap.newKeySet())
                        .add(ctx.id()))
                .build());
        for (Job job : jobs) {
            send(producer, queueA, 0, job);
        }
        await().atMost(WAIT).until(() -> ran.getOrDefault(queueA, Set.of()).size() == jobs.size());

        // When queue B gets jobs with the same ids, on the same Redis
        MeterRegistry registryB = new SimpleMeterRegistry();
        started(JobProcessor.builder(config(kafka, queueB, "worker-b"))
                .meterRegistry(registryB)
                .coordination(store)
                .idempotent("charge")
                .handle("charge", (ctx, bytes) -> ran.computeIfAbsent(ctx.queue(), q -> ConcurrentHashMap.newKeySet())
                        .add(ctx.id()))
                .build());
        for (Job job : jobs) {
            send(producer, queueB, 0, job);
        }

        // Then every one of them runs in queue B too: queue A's done marks skip none of B's jobs
        await().atMost(WAIT).until(() -> ran.getOrDefault(queueB, Set.of()).size() == jobs.size());
        assertThat(ran.get(queueB)).isEqualTo(ran.get(queueA));
        assertThat(count(registryB, "jobstream.jobs.skipped")).isZero();
    }

    @Test
    void defersJobsWhileRedisIsDownAndRunsThemOnceItIsBack(KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a processor whose type is locked per account, on a Redis server of its own
        String queue = queue(kafka, topics, 1);
        RedisServer redis = RedisServer.builder().name("outage").build().start();
        resources.addFirst(redis); // closed last
        Coordination coordination = Coordination.redis(CoordinationConfig.builder(redis.uri())
                .commandTimeout(Duration.ofMillis(500))
                .build());
        resources.add(coordination);
        MeterRegistry registry = new SimpleMeterRegistry();
        Set<String> ran = ConcurrentHashMap.newKeySet();
        started(JobProcessor.builder(config(kafka, queue, "worker-outage"))
                .meterRegistry(registry)
                .coordination(coordination)
                .lock("charge", KeyTemplate.parse("acct-${payload.accountId}"), Duration.ofSeconds(10))
                .handle("charge", (ctx, bytes) -> ran.add(ctx.id()))
                .build());
        await().atMost(WAIT).until(() -> assignedPartitions(registry) > 0);

        // When Redis is killed and a job arrives
        redis.kill();
        Job job = job("charge", "{\"accountId\":\"a\"}");
        send(producer(kafka), queue, 0, job);

        // Then it is deferred (fail closed), not run, and not failed
        await().atMost(WAIT)
                .until(() ->
                        registry
                                        .find("jobstream.jobs.deferred")
                                        .tag("reason", "coordination_unavailable")
                                        .counters()
                                        .stream()
                                        .mapToDouble(Counter::count)
                                        .sum()
                                >= 1);
        assertThat(ran).isEmpty();
        assertThat(count(registry, "jobstream.jobs.failed")).isZero();

        // When Redis is back, then the job runs once it comes back from the delay tier
        redis.restart();
        await().atMost(WAIT).until(() -> ran.contains(job.getId()));
        assertThat(count(registry, "jobstream.jobs.failed")).isZero();
    }

    private List<JobEvent> readEvents(KafkaCluster kafka, String queue, int atLeast) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<JobEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(Topics.events(queue), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long endOffset = kafka.endOffsets(Topics.events(queue)).get(partition);
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    events.add(EVENTS.decode(record.topic(), record.headers(), record.value()));
                }
                return consumer.position(partition) >= endOffset && events.size() >= atLeast;
            });
        }
        return events;
    }
}
