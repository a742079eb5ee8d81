package io.jobstream.bench;

import io.jobstream.producer.Jobs;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.KafkaCluster;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    private final PrintStream log;

    private BenchEnvironment(KafkaCluster cluster, String bootstrap, PrintStream log) {
        this.cluster = cluster;
        this.bootstrap = bootstrap;
        this.log = log;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Connects to {@code bootstrap}, or starts a single testkit broker when empty. */
    static BenchEnvironment open(Optional<String> bootstrap, PrintStream log) {
        if (bootstrap.isPresent()) {
            return new BenchEnvironment(null, bootstrap.get(), log);
        }
        KafkaCluster cluster =
                KafkaCluster.builder().name("bench").brokers(1).build().start();
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

    /** A new queue topic (and its failed topic) with a unique name. */
    String createQueue(String prefix) throws InterruptedException, ExecutionException {
        String queue = "bench-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createTopics(List.of(
                        new NewTopic(queue, PARTITIONS, (short) 1), new NewTopic(Topics.failed(queue), 1, (short) 1)))
                .all()
                .get();
        return queue;
    }

    /** One encoded job with a {@value #PAYLOAD_BYTES}-byte payload, ordered by {@code orderingKey} when not null. */
    static Job job(String orderingKey) {
        Jobs.Builder builder = Jobs.builder(JOB_TYPE).payload(new byte[PAYLOAD_BYTES]);
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
        long start = System.nanoTime();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        AtomicReference<Exception> error = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                Job job = job(keys > 0 ? "k" + (i % keys) : null);
                String key = job.getOrderingKey().orElse(job.getId());
                producer.send(
                        new ProducerRecord<>(queue, key.getBytes(StandardCharsets.UTF_8), serde.encode(queue, job)),
                        (metadata, e) -> {
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
                    "pre-fill of " + queue + " acknowledged " + acked.get() + " of " + records, error.get());
        }
        log("pre-filled %s with %,d jobs in %.1f s", queue, records, (System.nanoTime() - start) / 1e9);
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
