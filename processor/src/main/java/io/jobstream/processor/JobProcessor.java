package io.jobstream.processor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jobstream.coordination.Coordination;
import io.jobstream.processor.internal.BatchRegistration;
import io.jobstream.processor.internal.Guards;
import io.jobstream.processor.internal.HandlerRegistration;
import io.jobstream.processor.internal.JobRunner;
import io.jobstream.processor.internal.PayloadReader;
import io.jobstream.processor.internal.ProcessorLoop;
import io.jobstream.processor.internal.ProcessorMetrics;
import io.jobstream.runtime.Drainable;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecoder;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.RecordLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the jobs of one queue: one {@link KafkaConsumer} in the queue's worker group on one poll thread, each job's
 * handler on a virtual thread, failures to {@code <queue>.failed}, offsets committed only past finished jobs.
 *
 * <pre>{@code
 * JobProcessor processor = JobProcessor.builder(config)
 *         .handle("send_email", EmailPayload.class, (ctx, email) -> mailer.send(email))
 *         .handle("raw", (ctx, bytes) -> archive.store(ctx.id(), bytes))
 *         .build()
 *         .start();
 * ...
 * processor.close(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Job types can declare locks, semaphores, rate limits and idempotency ({@link CoordinationRules}, taken from the
 * {@link Builder#coordination(Coordination) coordination store}); a job that cannot get them in time is deferred
 * through a delay tier. Outcomes are written as {@code JobEvent}s to {@code <queue>.events} ({@link EventLevel}).
 *
 * <p>{@link #start()} returns at once; the processor runs until {@link #close(Duration)}, which is idempotent and
 * thread-safe: it stops fetching, lets running jobs finish within the timeout (cancelling the rest, whose offsets stay
 * uncommitted), commits what finished, leaves the group and returns. A processor is not restartable.
 */
public final class JobProcessor implements AutoCloseable, Drainable {
    private static final Logger LOG = LoggerFactory.getLogger(JobProcessor.class);

    /** The close timeout of {@link #close()}. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ProcessorConfig config;
    private final MeterRegistry registry;
    private final ProcessorLoop loop;
    private final JobRunner runner;
    private final Producer<byte[], byte[]> producer;
    private final List<KafkaMeters.Binding> kafkaMeters;
    private final Thread pollThread;
    private final Clock clock;
    private boolean started;
    private boolean closed;
    private boolean clientsClosed;

    private JobProcessor(Builder b, Map<String, CoordinationRules> guardedRules) {
        this.config = b.config;
        this.registry = b.registry;
        this.clock = b.clock;
        ProcessorMetrics metrics = new ProcessorMetrics(registry, config.queue(), clock);
        Consumer<byte[], byte[]> consumer = b.consumerFactory.apply(consumerProperties(config));
        this.producer = b.producerFactory.apply(producerProperties(config));
        this.kafkaMeters = List.of(KafkaMeters.bind(registry, consumer), KafkaMeters.bind(registry, producer));
        this.runner = new JobRunner(new JobRunner.Setup(
                config,
                b.handlers,
                b.batchHandlers,
                guardedRules,
                b.coordination == null
                        ? null
                        : new Guards(
                                b.coordination,
                                config.queue(),
                                config.coordinationWait(),
                                config.idempotencyRetention()),
                JobDecoder.create(config.serde(), null, clock),
                JobSerde.forFailure(config.serde()).fallingBackWhenRegistryUnavailable(),
                producer,
                clock,
                metrics,
                b.openTelemetry));
        this.loop = new ProcessorLoop(config, consumer, runner, metrics, clock);
        this.pollThread = Thread.ofPlatform()
                .name("jobstream-" + config.queue() + "-poll")
                .daemon(false)
                .unstarted(loop);
    }

    /** A builder for a processor with {@code config}. */
    public static Builder builder(ProcessorConfig config) {
        return new Builder(config);
    }

    /** The consumer properties a processor with {@code config} uses. */
    public static Map<String, Object> consumerProperties(ProcessorConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafka().consumerProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The dlq-service writes retries to the queue in transactions: never run a job from an aborted one.
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.instanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return props;
    }

    /**
     * The producer properties a processor with {@code config} uses, for {@code <queue>.failed}, {@code
     * <queue>.events} and deferred jobs ({@code <queue>.delay.<tier>}): {@code max.request.size} is raised (unless
     * set) so a failure of a job as large as its queue allows can be written ({@link RecordLimits}).
     */
    public static Map<String, Object> producerProperties(ProcessorConfig config) {
        Map<String, Object> props = RecordLimits.sizedForInternalRecords(
                new HashMap<>(config.kafka().producerProperties()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    /**
     * Joins the group and starts running jobs; returns at once.
     *
     * @throws IllegalStateException when already started or closed
     */
    public synchronized JobProcessor start() {
        if (started || closed) {
            throw new IllegalStateException("processor for queue " + config.queue() + " was already "
                    + (closed ? "closed" : "started") + "; build a new one");
        }
        started = true;
        pollThread.start();
        return this;
    }

    /**
     * Stops: no new jobs start; running jobs get until {@code timeout} to finish (then they are cancelled and their
     * offsets stay uncommitted); finished offsets are committed; the consumer leaves the group. Idempotent: a second
     * call waits for the first close (up to its own timeout).
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = clock.millis() + timeout.toMillis();
        boolean wasStarted;
        synchronized (this) {
            wasStarted = started;
            if (!closed) {
                closed = true;
                if (!wasStarted) {
                    started = true; // never to be started now; close the clients directly
                    closeUnstarted();
                    return;
                }
            }
        }
        if (!wasStarted) {
            return;
        }
        loop.requestClose(deadline);
        try {
            // the loop enforces the deadline itself; allow it time to close the consumer after it
            loop.awaitTermination(timeout.plusSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop.isTerminated()) {
            closeClients(deadline);
        }
    }

    private void closeUnstarted() {
        loop.requestClose(clock.millis());
        loop.run(); // subscribes and shuts down at once: closes the consumer without polling
        closeClients(clock.millis());
    }

    private synchronized void closeClients(long deadline) {
        if (!clientsClosed) {
            clientsClosed = true;
            producer.close(Duration.ofMillis(Math.max(1_000, deadline - clock.millis())));
            runner.close();
            kafkaMeters.forEach(KafkaMeters.Binding::close);
        }
    }

    /** {@link #close(Duration)} with {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** {@link #close(Duration)}, for {@code GracefulShutdown.registerDrainable}. */
    @Override
    public void drain(Duration timeout) {
        close(timeout);
    }

    /**
     * Whether the processor was started and its poll loop has not stopped. The loop stops by itself only on a consumer
     * fault that is not retriable ({@link #failure()}); call {@link #close(Duration)} then to release the producer.
     */
    public synchronized boolean isRunning() {
        return started && !loop.isTerminated();
    }

    /** The fault that stopped the poll loop, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(loop.fault());
    }

    /** The settings. */
    public ProcessorConfig config() {
        return config;
    }

    /** The registry the processor's meters are in. */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** Builds a {@link JobProcessor}: register a handler per job type, then {@link #build()}. */
    public static final class Builder {
        private final ProcessorConfig config;
        private final Map<String, HandlerRegistration<?>> handlers = new LinkedHashMap<>();
        private final Map<String, BatchRegistration<?>> batchHandlers = new LinkedHashMap<>();
        private MeterRegistry registry = new SimpleMeterRegistry();
        private ObjectMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .findAndAddModules()
                .build();
        private Clock clock = Clock.systemUTC();
        private Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory = KafkaConsumer::new;
        private Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory = KafkaProducer::new;
        private final Map<String, CoordinationRules> rules = new LinkedHashMap<>();
        private Coordination coordination;
        private OpenTelemetry openTelemetry = Tracing.global();

        private Builder(ProcessorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            rules.putAll(config.typeRules());
        }

        /**
         * The coordination store (Redis/Dragonfly, or {@code Coordination.inMemory}) for the types' {@link
         * CoordinationRules}, also handed to handlers by {@link JobContext#coordination()}. The processor does not
         * close it.
         */
        public Builder coordination(Coordination coordination) {
            this.coordination = Objects.requireNonNull(coordination, "coordination");
            return this;
        }

        /**
         * Jobs of {@code type} hold the lock named by {@code key} (e.g. {@code KeyTemplate.parse("acct-${payload.id}")})
         * while they run; {@code lease} bounds how long a crashed holder keeps it (the lease is renewed while the job
         * runs). A job whose key cannot be resolved fails, non-retryable.
         */
        public Builder lock(String type, KeyTemplate key, Duration lease) {
            return rule(type, rules -> rules.lock(key, lease));
        }

        /** {@link #lock(String, KeyTemplate, Duration)} with the lock name computed by {@code key}. */
        public Builder lock(String type, Function<Job, String> key, Duration lease) {
            return lock(type, KeyTemplate.of(key), lease);
        }

        /** Jobs of {@code type} hold one of the {@code permits} permits of the semaphore {@code name} while they run. */
        public Builder semaphore(String type, String name, int permits) {
            return rule(type, rules -> rules.semaphore(name, permits));
        }

        /** Jobs of {@code type} take a token of the rate limiter {@code name} ({@code perSecond}, burst 1) to start. */
        public Builder rate(String type, String name, double perSecond) {
            return rate(type, name, perSecond, 1);
        }

        /** As {@link #rate(String, String, double)}, allowing {@code burst} starts at once after a quiet period. */
        public Builder rate(String type, String name, double perSecond, int burst) {
            return rule(type, rules -> rules.rate(name, perSecond, burst));
        }

        /**
         * Jobs of {@code type} claim their id before running: an id that already succeeded (within {@code
         * jobstream.worker.idempotency-retention}) is skipped, one running elsewhere is deferred.
         */
        public Builder idempotent(String type) {
            return rule(type, rules -> rules.idempotent(true));
        }

        private Builder rule(String type, UnaryOperator<CoordinationRules.Builder> change) {
            Objects.requireNonNull(type, "type");
            rules.put(
                    type,
                    change.apply(rules.getOrDefault(type, CoordinationRules.NONE).toBuilder())
                            .build());
            return this;
        }

        /**
         * Runs jobs of {@code type} with {@code handler}, the payload read as {@code payloadType}: JSON through Jackson
         * for a plain class or record, Avro for a {@code SpecificRecord}, UTF-8 text for {@code String}, the bytes
         * for {@code byte[]}.
         *
         * @throws IllegalArgumentException when {@code type} already has a handler
         */
        public <T> Builder handle(String type, Class<T> payloadType, JobHandler<? super T> handler) {
            Objects.requireNonNull(type, "type");
            if (handlers.containsKey(type) || batchHandlers.containsKey(type)) {
                throw new IllegalArgumentException("job type '" + type + "' already has a handler");
            }
            handlers.put(type, new HandlerRegistration<>(type, PayloadReader.of(payloadType, mapper), handler));
            return this;
        }

        /** Runs jobs of {@code type} with {@code handler}, given the payload's raw bytes. */
        public Builder handle(String type, JobHandler<byte[]> handler) {
            return handle(type, byte[].class, handler);
        }

        /**
         * Runs jobs of {@code type} in batches with {@code handler}, each payload read as {@code payloadType} (as for
         * {@link #handle(String, Class, JobHandler)}). A batch is handed over when it holds {@code maxBatchSize} jobs,
         * or {@code maxWait} after its first job arrived, on one virtual thread; the type's timeout applies to the
         * whole batch. Jobs are acknowledged individually (see {@link BatchHandler}), and a batch only ever holds jobs
         * the ordering mode lets run at once (in {@code KEY} mode never two of one key).
         *
         * @throws IllegalArgumentException when {@code type} already has a handler, {@code maxBatchSize} is below 1 or
         *     {@code maxWait} is negative
         */
        public <T> Builder handleBatch(
                String type, Class<T> payloadType, int maxBatchSize, Duration maxWait, BatchHandler<T> handler) {
            Objects.requireNonNull(type, "type");
            if (handlers.containsKey(type) || batchHandlers.containsKey(type)) {
                throw new IllegalArgumentException("job type '" + type + "' already has a handler");
            }
            batchHandlers.put(
                    type,
                    new BatchRegistration<>(
                            type, PayloadReader.of(payloadType, mapper), maxBatchSize, maxWait, handler));
            return this;
        }

        /** Runs jobs of {@code type} in batches with {@code handler}, given each payload's raw bytes. */
        public Builder handleBatch(String type, int maxBatchSize, Duration maxWait, BatchHandler<byte[]> handler) {
            return handleBatch(type, byte[].class, maxBatchSize, maxWait, handler);
        }

        /**
         * Registers the handlers of every {@link JobHandlerProvider} that {@code classLoader} lists in {@code
         * META-INF/services/io.jobstream.processor.JobHandlerProvider}.
         *
         * @throws java.util.ServiceConfigurationError when a listed provider cannot be loaded
         * @throws IllegalArgumentException when two handlers claim one type
         */
        public Builder discoverHandlers(ClassLoader classLoader) {
            for (JobHandlerProvider provider : ServiceLoader.load(JobHandlerProvider.class, classLoader)) {
                provider.register(this);
            }
            return this;
        }

        /** The job types that have a handler so far. */
        public Set<String> handledTypes() {
            Set<String> types = new LinkedHashSet<>(handlers.keySet());
            types.addAll(batchHandlers.keySet());
            return Set.copyOf(types);
        }

        /** Where the meters go; a {@link SimpleMeterRegistry} unless set. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The Jackson mapper for JSON payloads (set it before the handlers that use it). */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Traces each job attempt as a {@code CONSUMER} span {@code process <queue>}, a child of the job's {@code
         * traceParent} ({@link JobContext#traceContext()}); {@link Tracing#global()} unless set, a no-op when no
         * OpenTelemetry SDK is installed.
         */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /** The clock for expiry, deadlines and commit intervals. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Replaces the Kafka clients (tests use Kafka's {@code MockConsumer} and {@code MockProducer}). */
        Builder kafkaClients(
                Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory,
                Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory) {
            this.consumerFactory = Objects.requireNonNull(consumerFactory, "consumerFactory");
            this.producerFactory = Objects.requireNonNull(producerFactory, "producerFactory");
            return this;
        }

        /**
         * The processor, not yet started. The one place its setup is checked: the runner takes it as given.
         *
         * @throws IllegalStateException when no handler is registered, a batch type has coordination rules, or a type
         *     has rules and the builder no {@link #coordination(Coordination) Coordination}
         */
        public JobProcessor build() {
            if (handlers.isEmpty() && batchHandlers.isEmpty()) {
                throw new IllegalStateException("register at least one handler with handle(type, ...)");
            }
            Map<String, CoordinationRules> guarded = new LinkedHashMap<>();
            rules.forEach((type, rule) -> {
                if (rule.isEmpty()) {
                    return;
                }
                guarded.put(type, rule);
                if (batchHandlers.containsKey(type)) {
                    throw new IllegalStateException("job type '" + type + "' has a batch handler: batch types cannot"
                            + " have coordination rules (locks, semaphores, rates, idempotency)");
                }
                if (!handlers.containsKey(type)) {
                    LOG.warn("coordination_rules_unused type={} reason=no_handler_for_type", type);
                }
            });
            if (!guarded.isEmpty() && coordination == null) {
                throw new IllegalStateException("job types " + guarded.keySet() + " have coordination rules (locks,"
                        + " semaphores, rates or idempotency): give the builder a Coordination (coordination(...)), e.g."
                        + " from jobstream.coordination.redis-uri");
            }
            return new JobProcessor(this, guarded);
        }
    }
}
