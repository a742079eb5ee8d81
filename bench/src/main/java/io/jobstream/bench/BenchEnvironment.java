package io.jobstream.bench;

import io.jobstream.producer.Jobs;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.KafkaClusterConfig;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker a scenario runs against (its own testkit broker, or the one given), with helpers to create topics,
 * pre-fill them with encoded jobs and warm the broker.
 */
final class BenchEnvironment implements AutoCloseable {
    static final int PARTITIONS = 12;
    static final int PAYLOAD_BYTES = 200;
    static final String JOB_TYPE = "noop";

    private final KafkaCluster cluster;
    private final String bootstrap;
    private final Admin admin;
    private final PrintWriter log;

    private BenchEnvironment(KafkaCluster cluster, String bootstrap, PrintWriter log) {
        this.cluster = cluster;
        this.bootstrap = bootstrap;
        this.log = log;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        log("%s", heapSettings());
    }

    /**
     * This JVM's heap: initial and maximum size, collectors. A heap that grows during the run (initial below maximum)
     * makes the side that allocates more pay for the growth phases in extra collections; pin it with equal
     * {@code -Xms} and {@code -Xmx}.
     */
    static String heapSettings() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        return String.format(
                "bench JVM heap: initial %d MiB, max %d MiB%s; collectors %s",
                heap.getInit() >> 20,
                heap.getMax() >> 20,
                heap.getInit() < heap.getMax() ? " (growing: pin it with -Xms = -Xmx for steady figures)" : " (fixed)",
                collectors);
    }

    /** Connects to {@code bootstrap}, or starts a single testkit broker when empty. */
    static BenchEnvironment open(Optional<String> bootstrap, PrintWriter log) {
        if (bootstrap.isPresent()) {
            return new BenchEnvironment(null, bootstrap.get(), log);
        }
        KafkaCluster cluster = KafkaCluster.builder()
                .name("bench")
                .brokers(1)
                // Kafka's own broker JVM settings, not the test brokers' quick-start ones (C1 only, serial GC)
                .brokerJvmOptions(KafkaClusterConfig.PRODUCTION_JVM_OPTIONS)
                .build()
                .start();
        try {
            return new BenchEnvironment(cluster, cluster.bootstrapServers(), log);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    KafkaSettings kafka() {
        return KafkaSettings.builder().bootstrapServers(bootstrap).build();
    }

    KafkaSettings kafka(Map<String, String> properties) {
        return KafkaSettings.builder()
                .bootstrapServers(bootstrap)
                .properties(properties)
                .build();
    }

    void log(String format, Object... args) {
        if (log != null) {
            log.printf("[bench] " + format + "%n", args);
            log.flush();
        }
    }

    /**
     * A new queue topic with a unique name, with its {@code .failed} and {@code .events} topics (the processor writes
     * outcome events by default and refuses to start without their topic).
     */
    String createQueue(String prefix) throws InterruptedException, ExecutionException {
        String queue = uniqueQueue(prefix);
        create(List.of(
                new NewTopic(queue, PARTITIONS, (short) 1),
                new NewTopic(Topics.failed(queue), 1, (short) 1),
                new NewTopic(Topics.events(queue), PARTITIONS, (short) 1)));
        return queue;
    }

    /**
     * A new queue with a unique name and every topic the dlq-service needs: the queue, {@code .failed}, {@code .dlq},
     * {@code .events} and one topic per delay tier, {@value #PARTITIONS} partitions each.
     */
    String createQueueWithTiers(String prefix, DelayTiers tiers) throws InterruptedException, ExecutionException {
        String queue = uniqueQueue(prefix);
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : List.of(queue, Topics.failed(queue), Topics.dlq(queue), Topics.events(queue))) {
            topics.add(new NewTopic(topic, PARTITIONS, (short) 1));
        }
        for (String topic : tiers.topics(queue)) {
            topics.add(new NewTopic(topic, PARTITIONS, (short) 1));
        }
        create(topics);
        return queue;
    }

    /**
     * Creates {@code topics} and waits until every partition's leader serves it (answers ListOffsets): an idempotent
     * producer writing to a partition that comes up while its first batches are in flight can end up stuck on
     * out-of-order sequence numbers.
     */
    private void create(List<NewTopic> topics) throws InterruptedException, ExecutionException {
        admin.createTopics(topics).all().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (NewTopic topic : topics) {
            for (int p = 0; p < topic.numPartitions(); p++) {
                request.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                admin.listOffsets(request).all().get();
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String uniqueQueue(String prefix) {
        return "bench-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Admin admin() {
        return admin;
    }

    private static final byte[] PAYLOAD = new byte[PAYLOAD_BYTES];

    /** One encoded job with a {@value #PAYLOAD_BYTES}-byte payload, ordered by {@code orderingKey} when not null. */
    static Job job(String orderingKey) {
        // One payload array for every job, as ProducerPerformance reuses its: the builder copies it.
        Jobs.Builder builder = Jobs.builder(JOB_TYPE).payload(PAYLOAD);
        if (orderingKey != null) {
            builder.orderingKey(orderingKey);
        }
        return builder.build();
    }

    /**
     * Writes {@code records} jobs to {@code queue} as the publisher would (key: ordering key, else id); with {@code
     * keys > 0} job {@code i} has ordering key {@code k<i % keys>}.
     */
    void prefill(String queue, long records, int keys) throws Exception {
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            write(queue, records, i -> {
                Job job = job(keys > 0 ? "k" + (i % keys) : null);
                String key = job.getOrderingKey().orElse(job.getId());
                return new ProducerRecord<>(queue, key.getBytes(StandardCharsets.UTF_8), serde.encode(queue, job));
            });
        }
    }

    /** Writes the records {@code record} makes for {@code 0 .. records - 1} (acks=1, large batches) and waits for all. */
    void write(String what, long records, LongFunction<ProducerRecord<byte[], byte[]>> record) throws Exception {
        long start = System.nanoTime();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        AtomicReference<Exception> error = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                producer.send(record.apply(i), (metadata, e) -> {
                    if (e != null) {
                        error.compareAndSet(null, e);
                    } else {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (error.get() != null || acked.get() != records) {
            throw new IllegalStateException(
                    "pre-fill of " + what + " acknowledged " + acked.get() + " of " + records, error.get());
        }
        log("pre-filled %s with %,d records in %.1f s", what, records, (System.nanoTime() - start) / 1e9);
    }

    /** Warms the broker: writes {@code records} jobs to a fresh topic and reads them back once. */
    void warmUp(long records) throws Exception {
        String queue = createQueue("warmup");
        prefill(queue, records, 0);
        long start = System.nanoTime();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, queue + ".warmup");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(queue));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (seen < records && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        log("warmed the broker: %,d jobs written and read back (%.1f s)", seen, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        if (cluster != null) {
            cluster.close();
        }
    }
}
