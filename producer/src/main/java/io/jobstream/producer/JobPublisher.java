package io.jobstream.producer;

import io.jobstream.producer.JobRejectedException.Reason;
import io.jobstream.producer.internal.AdminTopicDirectory;
import io.jobstream.producer.internal.JobChecks;
import io.jobstream.producer.internal.LagRefresher;
import io.jobstream.producer.internal.LeastLoaded;
import io.jobstream.producer.internal.PublishMetrics;
import io.jobstream.producer.internal.PublishMetrics.Outcome;
import io.jobstream.producer.internal.TopicDirectory;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes {@link Job}s to queues: validates each job, picks its topic (the queue, or the delay tier it waits in)
 * and partition, encodes it with {@link JobSerde} and sends it with an idempotent {@code acks=all} producer.
 *
 * <pre>{@code
 * try (JobPublisher publisher = JobPublisher.create(PublisherConfig.defaults(), kafkaSettings)) {
 *     JobReceipt receipt = publisher.publishSync("emails", Jobs.builder("send_email").payload(email).build());
 * }
 * }</pre>
 *
 * <p><b>Failure contract.</b> Every returned future completes: with a {@link JobReceipt} once Kafka acknowledged the
 * record; with {@link JobRejectedException} when the job or queue was refused (invalid job, payload or whole record
 * too large, expired, invalid or unknown queue), before anything was sent, or by the broker for being larger than the
 * topic takes (nothing was written); with {@link PublishFailedException} when Kafka did not
 * acknowledge it within {@code delivery.timeout.ms} (or the brokers did not answer whether the topic exists within
 * {@code jobstream.publisher.metadata-timeout}), naming the bootstrap servers. A job is never reported published
 * unless acknowledged.
 *
 * <p><b>Threading.</b> Thread-safe; share one per process. {@code publish} may block the caller: the first publish to a
 * topic waits (at most the metadata timeout) to learn whether it exists, and Kafka's {@code send} blocks when its
 * buffer is full ({@code max.block.ms}). Jobs published from one thread with one key are written in order. Futures
 * complete on the Kafka producer's I/O thread: do not block in non-async dependent stages.
 *
 * <p><b>Tracing.</b> Each publish is a {@code PRODUCER} span {@code send <queue>} of the {@link OpenTelemetry} given to
 * {@link #create(PublisherConfig, KafkaSettings, MeterRegistry, OpenTelemetry)} (else {@link Tracing#global()}),
 * a child of the current context, ended when Kafka answers. Its W3C context is written into the job's {@code
 * traceParent} when the job has none, so the processor continues the trace. A {@code traceParent} the caller set by
 * hand is kept as it is: it becomes the send span's parent (the current context is then ignored), and the job's
 * processing continues the hand-set context, beside the send span rather than under it. With the no-op
 * OpenTelemetry (no SDK installed) no {@code traceParent} is invented: a job is written as without tracing, except
 * that a current context carried in from elsewhere (an incoming {@code traceparent}) is passed on.
 */
public final class JobPublisher implements AutoCloseable {
    /** Bytes allowed on top of the payload limit for the envelope, key and headers. */
    static final int ENVELOPE_ALLOWANCE = 64 * 1024;

    private static final int MAX_REMEMBERED_QUEUES = 1_024;
    private static final Duration TOPIC_CACHE_TTL = Duration.ofMinutes(5);

    private final PublisherConfig config;
    private final Producer<String, byte[]> producer;
    private final TopicDirectory topics;
    private final LeastLoaded leastLoaded;
    private final JobSerde<Job> serde;
    private final PublishMetrics metrics;
    private final Clock clock;
    private final String bootstrapServers;
    private final long maxRequestSize;
    private final List<AutoCloseable> resources;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Queue names already found valid; at most {@link #MAX_REMEMBERED_QUEUES}. */
    private final Map<String, Boolean> validQueues = new ConcurrentHashMap<>();

    private final Tracer tracer;

    JobPublisher(
            PublisherConfig config,
            Producer<String, byte[]> producer,
            TopicDirectory topics,
            LeastLoaded leastLoaded,
            MeterRegistry registry,
            Clock clock,
            String bootstrapServers,
            List<AutoCloseable> resources) {
        this(
                config,
                producer,
                topics,
                leastLoaded,
                registry,
                clock,
                bootstrapServers,
                defaultMaxRequestSize(config),
                resources);
    }

    JobPublisher(
            PublisherConfig config,
            Producer<String, byte[]> producer,
            TopicDirectory topics,
            LeastLoaded leastLoaded,
            MeterRegistry registry,
            Clock clock,
            String bootstrapServers,
            long maxRequestSize,
            List<AutoCloseable> resources) {
        this(
                config,
                producer,
                topics,
                leastLoaded,
                registry,
                clock,
                bootstrapServers,
                maxRequestSize,
                resources,
                Tracing.global());
    }

    JobPublisher(
            PublisherConfig config,
            Producer<String, byte[]> producer,
            TopicDirectory topics,
            LeastLoaded leastLoaded,
            MeterRegistry registry,
            Clock clock,
            String bootstrapServers,
            long maxRequestSize,
            List<AutoCloseable> resources,
            OpenTelemetry openTelemetry) {
        this.tracer = Tracing.tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        this.maxRequestSize = maxRequestSize;
        this.config = Objects.requireNonNull(config, "config");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.leastLoaded = Objects.requireNonNull(leastLoaded, "leastLoaded");
        this.serde = JobSerde.forJob(config.serde());
        this.metrics = new PublishMetrics(Objects.requireNonNull(registry, "registry"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.resources = List.copyOf(resources);
    }

    /** A publisher connected with {@code kafka}, counting into Micrometer's global registry. */
    public static JobPublisher create(PublisherConfig config, KafkaSettings kafka) {
        return create(config, kafka, Metrics.globalRegistry);
    }

    /**
     * A publisher connected with {@code kafka}'s producer properties ({@code acks=all}, idempotence on), counting into
     * {@code registry}. Unless set as a raw property, {@code max.request.size} is raised to fit the payload limit plus
     * 64 KiB. Creating it does not contact the brokers.
     */
    public static JobPublisher create(PublisherConfig config, KafkaSettings kafka, MeterRegistry registry) {
        return create(config, kafka, registry, Tracing.global());
    }

    /**
     * {@link #create(PublisherConfig, KafkaSettings, MeterRegistry)}, tracing each publish with {@code
     * openTelemetry} (see the class doc).
     */
    public static JobPublisher create(
            PublisherConfig config, KafkaSettings kafka, MeterRegistry registry, OpenTelemetry openTelemetry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        Objects.requireNonNull(kafka, "kafka");
        Map<String, Object> properties = new HashMap<>(kafka.producerProperties());
        properties.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) defaultMaxRequestSize(config));
        long maxRequestSize = Long.parseLong(properties
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
                .toString()
                .trim());
        List<AutoCloseable> resources = new ArrayList<>();
        Admin admin = Admin.create(kafka.adminProperties());
        KafkaProducer<String, byte[]> producer;
        try {
            producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        TopicDirectory directory = new AdminTopicDirectory(admin, false, TOPIC_CACHE_TTL);
        LeastLoaded leastLoaded = new LeastLoaded();
        if (config.partitionStrategy() == PartitionStrategy.LEAST_LOADED) {
            resources.add(new LagRefresher(
                    admin, leastLoaded, directory, config.lagRefreshInterval(), config.metadataTimeout()));
        }
        resources.add(directory);
        resources.add(() -> admin.close(Duration.ofSeconds(5)));
        resources.add(KafkaMeters.bind(registry, producer));
        resources.add(KafkaMeters.bind(registry, admin));
        return new JobPublisher(
                config,
                producer,
                directory,
                leastLoaded,
                registry,
                Clock.systemUTC(),
                String.join(",", kafka.bootstrapServers()),
                maxRequestSize,
                resources,
                openTelemetry);
    }

    /** The producer's {@code max.request.size} unless set: the payload limit plus 64 KiB, at least 1 MiB. */
    private static long defaultMaxRequestSize(PublisherConfig config) {
        return config.producerMaxRequestSize();
    }

    /** The settings this publisher runs with. */
    public PublisherConfig config() {
        return config;
    }

    /**
     * Publishes {@code job} to {@code queue}: to the queue's topic, or, when its {@code notBefore} is in the future, to
     * {@code <queue>.delay.<tier>} with the due time in header {@code jobstream.due-at} (never delivered early).
     *
     * @return a future completed with the receipt once Kafka acknowledged the record, or failed with {@link
     *     JobRejectedException} / {@link PublishFailedException} (see the class doc)
     */
    public CompletableFuture<JobReceipt> publish(String queue, Job job) {
        return publish(queue, job, null);
    }

    /**
     * {@link #publish} and wait for the outcome.
     *
     * @throws JobRejectedException when the job was refused before sending
     * @throws PublishFailedException when Kafka did not acknowledge it
     */
    public JobReceipt publishSync(String queue, Job job) {
        try {
            return publish(queue, job).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new PublishFailedException("publishing job " + job.getId() + " failed", e.getCause());
        }
    }

    /**
     * Publishes every job of {@code jobs} to {@code queue}, in order, checking each target topic once for the whole
     * batch. When Kafka cannot take a job within {@code max.block.ms} (no metadata for the topic because the brokers
     * are unreachable, or a full buffer), the rest of the batch for that topic fails at once instead of waiting
     * {@code max.block.ms} each.
     *
     * @return a future completed, once every job is settled, with one {@link PublishOutcome} per job in the batch's
     *     order; it never fails
     */
    public CompletableFuture<List<PublishOutcome>> publishAll(String queue, List<Job> jobs) {
        Objects.requireNonNull(jobs, "jobs");
        Batch batch = new Batch();
        List<CompletableFuture<PublishOutcome>> outcomes = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            outcomes.add(publish(queue, job, batch).handle((receipt, error) -> outcome(job, receipt, error)));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(
                        done -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    /** Whether the least-loaded strategy has a lag snapshot of {@code queue} (it falls back to hash until then). */
    boolean hasLagSnapshot(String queue) {
        return leastLoaded.hasSnapshot(queue);
    }

    /** Sends every job accepted so far and waits until each is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /** Closes within {@code jobstream.publisher.close-timeout} (see {@link #close(Duration)}). */
    @Override
    public void close() {
        close(config.closeTimeout());
    }

    /**
     * Stops accepting jobs (later publishes fail with {@link PublishFailedException}), waits up to {@code timeout} for
     * jobs in flight to be acknowledged (those that are not fail), and releases the clients. Idempotent.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new PublishFailedException("closing the publisher failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        serde.close();
        if (failure != null) {
            throw failure;
        }
    }

    /** What one publish, or one batch, learned about its topics. Used by one thread. */
    private static final class Batch {
        final Map<String, TopicCheck> checked = new HashMap<>();
        final Map<String, PublishFailedException> blocked = new HashMap<>();
    }

    private CompletableFuture<JobReceipt> publish(String queue, Job job, Batch batch) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(job, "job");
        try {
            return send(queue, job, batch);
        } catch (JobRejectedException e) {
            metrics.count(metricQueue(queue, e), String.valueOf(job.getType()), Outcome.REJECTED);
            return CompletableFuture.failedFuture(e);
        } catch (PublishFailedException e) {
            metrics.count(queue, String.valueOf(job.getType()), Outcome.FAILED);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            // Encoding (e.g. the schema registry is down) or Kafka refusing the record inside send().
            metrics.count(queue, String.valueOf(job.getType()), Outcome.FAILED);
            return CompletableFuture.failedFuture(new PublishFailedException(
                    "job " + job.getId() + " for queue " + queue + " was not sent (bootstrap servers "
                            + bootstrapServers + "): " + e,
                    e));
        }
    }

    private CompletableFuture<JobReceipt> send(String queue, Job job, Batch batch) {
        if (closed.get()) {
            throw new PublishFailedException("the publisher is closed; job " + job.getId() + " was not sent");
        }
        if (!validQueues.containsKey(queue) && !rememberValid(queue)) {
            throw new JobRejectedException(
                    Reason.INVALID_QUEUE_NAME,
                    "queue name '" + queue + "' is invalid: use lowercase letters, digits, '.' and '-' (no '_'),"
                            + " starting and ending with a letter or digit");
        }
        if (!validQueues.containsKey(queue)) {
            // A valid name that is not remembered: one of the derived or internal names (or the set is full).
            Topics.notAQueue(queue).ifPresent(why -> {
                throw notAQueue(queue, why);
            });
        }
        Instant now = clock.instant();
        JobChecks.checkForPublish(job, config.maxPayloadSize(), now);
        Optional<Duration> tier =
                job.getNotBefore().flatMap(notBefore -> config.delayTiers().tierFor(notBefore, now));
        String topic = tier.map(t -> Topics.delay(queue, t)).orElse(queue);
        int partitions = (batch == null ? check(topic) : batch.checked.computeIfAbsent(topic, this::check))
                .partitions(queue, topic);
        PublishFailedException blocked = batch == null ? null : batch.blocked.get(topic);
        if (blocked != null) {
            throw new PublishFailedException(
                    "job " + job.getId() + " was not sent: an earlier job of this batch could not be handed to Kafka"
                            + " (" + blocked.getMessage() + ")",
                    blocked.getCause());
        }

        String key = job.getOrderingKey().orElse(job.getId());
        Integer partition = tier.isPresent() ? null : choosePartition(queue, partitions);
        Span span = sendSpan(queue, topic, job, key);
        try {
            return send(queue, topic, tier, withTraceParent(job, span), key, partition, span, batch);
        } catch (RuntimeException e) {
            Tracing.failed(span, e.getClass().getSimpleName(), e);
            span.end();
            throw e;
        }
    }

    /**
     * The {@code send <queue>} span of {@code job}: a child of its hand-set {@code traceParent} when it has one, else
     * of the current context.
     */
    private Span sendSpan(String queue, String topic, Job job, String key) {
        Context parent = job.getTraceParent()
                .map(traceParent -> Tracing.extract(Context.root(), traceParent))
                .orElseGet(Context::current);
        return tracer.spanBuilder("send " + queue)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(Tracing.MESSAGING_SYSTEM, Tracing.KAFKA)
                .setAttribute(Tracing.MESSAGING_DESTINATION, topic)
                .setAttribute(Tracing.MESSAGING_OPERATION_TYPE, "send")
                .setAttribute(Tracing.MESSAGING_OPERATION_NAME, "send")
                .setAttribute(Tracing.MESSAGING_MESSAGE_ID, job.getId())
                .setAttribute(Tracing.MESSAGING_KAFKA_KEY, key)
                .setAttribute(Tracing.JOB_TYPE, job.getType())
                .startSpan();
    }

    /** {@code job} carrying {@code span}'s context as its {@code traceParent}, unless it has one already. */
    private static Job withTraceParent(Job job, Span span) {
        if (job.getTraceParent().isPresent()) {
            return job;
        }
        Optional<String> traceParent = Tracing.traceParent(span);
        if (traceParent.isEmpty()) {
            return job;
        }
        // A shallow copy (the caller's job is not changed, its payload not copied).
        Job traced = new Job();
        for (int i = 0; i < Job.SCHEMA$.getFields().size(); i++) {
            traced.put(i, job.get(i));
        }
        traced.setTraceParent(traceParent.get());
        return traced;
    }

    private CompletableFuture<JobReceipt> send(
            String queue,
            String topic,
            Optional<Duration> tier,
            Job job,
            String key,
            Integer partition,
            Span span,
            Batch batch) {
        byte[] value = serde.encode(topic, job);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, partition, key, value);
        if (config.mirrorHeaders()) {
            // A new record has no headers: add, not put (which first searches for one to replace).
            record.headers().add(JobHeaders.JOB_ID, job.getId().getBytes(StandardCharsets.UTF_8));
            record.headers().add(JobHeaders.JOB_TYPE, job.getType().getBytes(StandardCharsets.UTF_8));
        }
        if (tier.isPresent()) {
            JobHeaders.putInstant(
                    record.headers(), JobHeaders.DUE_AT, job.getNotBefore().orElseThrow());
            JobHeaders.putText(record.headers(), JobHeaders.TARGET_TOPIC, queue);
        }
        long size = RecordLimits.sizeOf(null, value, record.headers()) + key.length() * 3L;
        long topicLimit = topics.maxMessageBytes(topic).orElse(Long.MAX_VALUE);
        if (size > maxRequestSize || size > topicLimit) {
            boolean topicSmaller = topicLimit < maxRequestSize;
            throw new JobRejectedException(
                    Reason.RECORD_TOO_LARGE,
                    "job " + job.getId() + " encodes to a record of up to " + size + " bytes (payload "
                            + job.getPayload().remaining() + " bytes, the rest id, type, ordering key and headers),"
                            + " over "
                            + (topicSmaller
                                    ? "topic " + topic + "'s max.message.bytes of " + topicLimit
                                    : "the producer's max.request.size of " + maxRequestSize)
                            + " bytes");
        }
        Acknowledgement result = new Acknowledgement(queue, topic, job.getType(), job.getId(), tier, span);
        producer.send(record, result);
        if (batch != null && result.isCompletedExceptionally()) {
            // Kafka failed the send inside send(): it waited max.block.ms for metadata or buffer space.
            result.exceptionally(error -> {
                if (error instanceof PublishFailedException failed
                        && failed.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                    batch.blocked.put(topic, failed);
                }
                return null;
            });
        }
        return result;
    }

    /**
     * Checks that {@code queue} is a queue: a valid name that {@link Topics#notAQueue} does not rule out, whose topic
     * exists and whose {@code <queue>.failed} sibling exists too, as {@link QueueTopics} (that is {@code jobstream
     * topics create}) made them. Another application's topic, which has no {@code .failed} sibling, is no queue. The
     * HTTP API calls this before every publish; {@link #publish} itself checks only the name (a library caller holds
     * Kafka credentials of its own). Answers from the topic cache when it can.
     *
     * @throws JobRejectedException {@code INVALID_QUEUE_NAME}, {@code UNKNOWN_QUEUE} (no such topic) or {@code
     *     NOT_A_QUEUE}
     * @throws PublishFailedException when the brokers did not answer within the metadata timeout
     */
    public void requireQueue(String queue) {
        Objects.requireNonNull(queue, "queue");
        if (!Topics.isValidQueue(queue)) {
            throw new JobRejectedException(Reason.INVALID_QUEUE_NAME, "queue name '" + queue + "' is invalid");
        }
        Optional<String> reserved = Topics.notAQueue(queue);
        if (reserved.isPresent()) {
            throw notAQueue(queue, reserved.get());
        }
        check(queue).partitions(queue, queue);
        String failed = Topics.failed(queue);
        TopicCheck sibling = check(failed);
        if (sibling.failure() != null) {
            throw sibling.failure();
        }
        if (sibling.partitionCount() < 0) {
            throw notAQueue(queue, "it has no " + failed + " topic, so `jobstream topics create` did not make it");
        }
    }

    private static JobRejectedException notAQueue(String queue, String why) {
        return new JobRejectedException(Reason.NOT_A_QUEUE, queue + " is not a queue: " + why);
    }

    /** Whether {@code queue} is a valid name, remembering valid ones (a bounded set: checking costs a regex). */
    private boolean rememberValid(String queue) {
        if (!Topics.isValidQueue(queue)) {
            return false;
        }
        if (Topics.notAQueue(queue).isPresent()) {
            return true; // valid, but never remembered: send() refuses it
        }
        if (validQueues.size() < MAX_REMEMBERED_QUEUES) {
            validQueues.put(queue, Boolean.TRUE);
        }
        return true;
    }

    private Integer choosePartition(String queue, int partitions) {
        return switch (config.partitionStrategy()) {
            case HASH -> null;
            case ROUND_ROBIN ->
                Math.floorMod(
                        roundRobin
                                .computeIfAbsent(queue, q -> new AtomicInteger())
                                .getAndIncrement(),
                        partitions);
            case LEAST_LOADED -> {
                leastLoaded.register(queue);
                OptionalInt chosen = leastLoaded.choose(queue, partitions);
                yield chosen.isPresent() ? chosen.getAsInt() : null;
            }
        };
    }

    private TopicCheck check(String topic) {
        try {
            OptionalInt partitions = topics.partitions(topic, config.metadataTimeout());
            return partitions.isPresent() ? TopicCheck.found(partitions.getAsInt()) : TopicCheck.MISSING;
        } catch (TimeoutException e) {
            return new TopicCheck(
                    -1,
                    new PublishFailedException(
                            "could not learn whether topic " + topic + " exists: the Kafka brokers at "
                                    + bootstrapServers + " did not answer within "
                                    + config.metadataTimeout().toMillis()
                                    + " ms (jobstream.publisher.metadata-timeout); are they reachable?",
                            new org.apache.kafka.common.errors.TimeoutException(e.getMessage(), e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TopicCheck(-1, new PublishFailedException("interrupted while checking topic " + topic, e));
        } catch (RuntimeException e) {
            return new TopicCheck(
                    -1,
                    new PublishFailedException(
                            "could not learn whether topic " + topic + " exists (Kafka brokers at " + bootstrapServers
                                    + "): " + e,
                            e));
        }
    }

    /** The answer to "does this topic exist" for one publish or one batch. */
    private record TopicCheck(int partitionCount, PublishFailedException failure) {
        static final TopicCheck MISSING = new TopicCheck(-1, null);
        /** Answers for existing topics with up to 1,024 partitions, shared: a single publish makes one per job. */
        private static final TopicCheck[] FOUND = new TopicCheck[1_025];

        static {
            for (int i = 0; i < FOUND.length; i++) {
                FOUND[i] = new TopicCheck(i, null);
            }
        }

        static TopicCheck found(int partitions) {
            return partitions < FOUND.length ? FOUND[partitions] : new TopicCheck(partitions, null);
        }

        int partitions(String queue, String topic) {
            if (failure != null) {
                throw failure;
            }
            if (partitionCount < 0) {
                throw new JobRejectedException(
                        Reason.UNKNOWN_QUEUE,
                        topic.equals(queue)
                                ? "queue " + queue + " does not exist (no topic " + queue + "); create its topics"
                                        + " first (QueueTopics, or jobstream topics create --queue " + queue + ")"
                                : "delay topic " + topic + " of queue " + queue + " does not exist; create the queue's"
                                        + " topics with the same delay tiers (QueueTopics)");
            }
            return partitionCount;
        }
    }

    /**
     * One job's future, completed when Kafka answers (the future is the callback: one object per job in flight). It
     * holds the job's id, not the job: Kafka keeps each callback until its batch is acknowledged, and with tens of
     * thousands of jobs in flight the payloads it would otherwise keep alive are copied by every young collection.
     */
    private final class Acknowledgement extends CompletableFuture<JobReceipt> implements Callback {
        private final String queue;
        private final String topic;
        private final String type;
        private final String id;
        private final Optional<Duration> tier;
        private final Span span;

        Acknowledgement(String queue, String topic, String type, String id, Optional<Duration> tier, Span span) {
            this.span = span;
            this.queue = queue;
            this.topic = topic;
            this.type = type;
            this.id = id;
            this.tier = tier;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (span.isRecording()) {
                if (exception != null) {
                    Tracing.failed(span, exception.getClass().getSimpleName(), exception);
                } else {
                    span.setAttribute(Tracing.MESSAGING_PARTITION, Integer.toString(metadata.partition()));
                    span.setAttribute(Tracing.MESSAGING_KAFKA_OFFSET, metadata.offset());
                }
                span.end();
            }
            if (exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException) {
                metrics.count(queue, type, Outcome.REJECTED);
                completeExceptionally(new JobRejectedException(
                        Reason.RECORD_TOO_LARGE,
                        "job " + id + " is larger than topic " + topic + " takes (its max.message.bytes, or the"
                                + " producer's max.request.size or buffer.memory); nothing was written"));
            } else if (exception != null) {
                metrics.count(queue, type, Outcome.FAILED);
                completeExceptionally(notAcknowledged(id, topic, exception));
            } else {
                metrics.count(queue, type, Outcome.ACKNOWLEDGED);
                complete(new JobReceipt(
                        id,
                        queue,
                        metadata.topic(),
                        metadata.partition(),
                        metadata.offset(),
                        Instant.ofEpochMilli(metadata.timestamp()),
                        tier));
            }
        }
    }

    private PublishFailedException notAcknowledged(String id, String topic, Throwable cause) {
        if (cause instanceof PublishFailedException failed) {
            return failed;
        }
        return new PublishFailedException(
                "job " + id + " was not acknowledged by Kafka (topic " + topic + ", bootstrap servers "
                        + bootstrapServers + "): " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                cause);
    }

    private static String metricQueue(String queue, JobRejectedException e) {
        return switch (e.reason()) {
            case INVALID_QUEUE_NAME, NOT_A_QUEUE -> "invalid";
            case UNKNOWN_QUEUE -> "unknown";
            default -> queue;
        };
    }

    private static PublishOutcome outcome(Job job, JobReceipt receipt, Throwable error) {
        if (error == null) {
            return new PublishOutcome.Published(receipt);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof JobRejectedException rejected) {
            return new PublishOutcome.Rejected(job, rejected);
        }
        if (cause instanceof PublishFailedException failed) {
            return new PublishOutcome.Failed(job, failed);
        }
        return new PublishOutcome.Failed(job, new PublishFailedException("job " + job.getId() + " failed", cause));
    }

    @Override
    public String toString() {
        return "JobPublisher[bootstrap=" + bootstrapServers + ", strategy=" + config.partitionStrategy() + "]";
    }
}
