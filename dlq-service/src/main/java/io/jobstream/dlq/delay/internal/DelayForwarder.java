package io.jobstream.dlq.delay.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
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
import io.jobstream.schemas.Trimming;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one queue's delayed records down the tiers and back to the queue when due.
 *
 * <p>One consumer reads every {@code <queue>.delay.<tier>} topic; one thread owns it (and the transactional
 * producer). For each partition it looks at the head record ({@link Release}): a record that is not yet due makes
 * the forwarder {@code seek} back to it and {@code pause} the partition until the time {@link Release.Hold} names;
 * the poll timeout shrinks to the earliest such time, so the loop wakes exactly when a partition is due and never
 * spins. Released records go, key, value and headers unchanged, to the tier that fits what remains or, when due, to
 * {@code <queue>}, with the
 * record timestamp set to now (the time they entered their next tier).
 *
 * <p>Commits are transactional: the forwards of one poll and the consumer offsets after them are committed in one
 * producer transaction ({@code sendOffsetsToTransaction}), so a crash never forwards a record twice nor loses one,
 * and consumers of {@code <queue>} reading {@code read_committed} see each forward once. The offset committed for a
 * partition whose records were all forwarded is the consumer's position, which is past the transaction markers and
 * aborted records it skipped (a poll that only skipped some commits its position in a transaction without records),
 * so the forwarder's group shows lag 0 when nothing waits. If the transaction fails,
 * it is aborted, the partitions are rewound to the first record of the batch and held for {@code retryBackoff} (a
 * partition with nothing forwarded is not rewound: its position is committed with the next transaction); a
 * commit that times out is retried, not aborted (Kafka's producer contract: it may be completing); a fenced or
 * unauthorized producer stops the forwarder ({@link #failure()}), and the dlq-service reports it down. A record its
 * target refuses for good ({@link RecordLimits#isRefusal}: larger than the queue or a tier takes) never loops: after
 * the abort it is retried at once as a trimmed, non-retryable {@code REJECTED} failure in {@code <queue>.failed}
 * ({@link Trimming}, pointing at the tier record), written in the transaction that commits its offset, and the
 * partition moves on; the failure router then dead-letters it. When several records of the aborted transaction carry
 * the refusal (the producer fails batches still waiting with the refused batch's own exception), none is judged: each
 * is forwarded again in a transaction of its own, and only one refused alone becomes a failure.
 *
 * <p>Meter: {@code jobstream.delay.lateness} (timer, tags {@code queue}): commit time minus due time of each record
 * forwarded to the queue.
 */
public final class DelayForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DelayForwarder.class);
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;
    private static final int FETCH_MAX_WAIT_MS = 50;
    /** The worker id of the failures this forwarder writes. */
    static final String WORKER_ID = "jobstream-delay-forwarder";
    /** A trimmed failure keeps its job's key up to this size (in bytes), else it has none. */
    private static final int TRIMMED_KEY_LIMIT = 8 * 1024;

    private final String queue;
    private final String failedTopic;
    private final JobSerde<Job> jobs;
    private final JobSerde<JobFailure> failures;
    private final DelayTiers tiers;
    private final Map<String, Duration> tierOfTopic = new HashMap<>();
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Clock clock;
    private final Duration maxPollWait;
    private final Duration retryBackoff;
    private final Timer lateness;
    private final Map<TopicPartition, Instant> heldUntil = new HashMap<>();
    /** The offset last committed per partition by this forwarder (poll thread only). */
    private final Map<TopicPartition, Long> committedUpTo = new HashMap<>();
    /** Records a target refused for good, per partition and offset: written to {@code <queue>.failed} instead. */
    private final Map<TopicPartition, Map<Long, Refusal>> refused = new HashMap<>();
    /**
     * Records whose forward failed with a refusal together with others of their transaction, per partition: the
     * producer fails the batches still waiting with the refused batch's own exception, so which one the target refused
     * is unknown. Each is forwarded again in a transaction of its own, where a refusal is its own.
     */
    private final Map<TopicPartition, Set<Long>> suspects = new HashMap<>();
    /** Positions of partitions with nothing forwarded whose transaction failed: committed with the next one. */
    private final Map<TopicPartition, OffsetAndMetadata> pendingPositions = new HashMap<>();

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<KafkaMeters.Binding> kafkaMeters;
    private volatile boolean closing;
    private volatile Thread thread;
    private volatile Throwable failure;
    private boolean initialized;

    /** A forwarder whose failure records (for jobs the queue refuses) are single-object encoded. */
    public DelayForwarder(
            String queue,
            DelayTiers tiers,
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            Clock clock,
            MeterRegistry registry,
            Duration maxPollWait,
            Duration retryBackoff) {
        this(queue, tiers, consumer, producer, clock, registry, maxPollWait, retryBackoff, SerdeConfig.singleObject());
    }

    /**
     * A forwarder reading and writing through {@code consumer} and {@code producer}; {@code serdes} says how the
     * queue's jobs are read and its failures written (for a job the queue refuses for good).
     */
    public DelayForwarder(
            String queue,
            DelayTiers tiers,
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            Clock clock,
            MeterRegistry registry,
            Duration maxPollWait,
            Duration retryBackoff,
            SerdeConfig serdes) {
        this.queue = Topics.queue(queue);
        this.failedTopic = Topics.failed(queue);
        this.jobs = JobSerde.forJob(Objects.requireNonNull(serdes, "serdes"));
        this.failures = JobSerde.forFailure(serdes);
        this.tiers = Objects.requireNonNull(tiers, "tiers");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxPollWait = Objects.requireNonNull(maxPollWait, "maxPollWait");
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
        for (Duration tier : tiers.tiers()) {
            tierOfTopic.put(Topics.delay(queue, tier), tier);
        }
        this.kafkaMeters = List.of(KafkaMeters.bind(registry, consumer), KafkaMeters.bind(registry, producer));
        this.lateness = DlqMeters.DELAY_LATENESS
                .timer("queue", queue)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /**
     * A forwarder with its own clients: a consumer in group {@code group} reading {@code read_committed} from the
     * earliest offset without auto-commit, parking fetches at most 50 ms (unless the raw Kafka properties say
     * otherwise), and a transactional producer ({@code transactional.id =
     * <queue>.delay-forwarder-<random>}, {@link Names#delayForwarderTransactionalId}; zombies are fenced through the consumer group, KIP-447) whose
     * {@code transaction.timeout.ms} is 10 s unless the raw Kafka properties set it.
     */
    public static DelayForwarder create(
            String queue,
            DelayTiers tiers,
            KafkaSettings kafka,
            String group,
            Clock clock,
            MeterRegistry registry,
            Duration maxPollWait,
            Duration retryBackoff) {
        return create(
                queue, tiers, kafka, group, clock, registry, maxPollWait, retryBackoff, SerdeConfig.singleObject());
    }

    /** As above; {@code serdes} says how the queue's jobs are read and its failures written. */
    public static DelayForwarder create(
            String queue,
            DelayTiers tiers,
            KafkaSettings kafka,
            String group,
            Clock clock,
            MeterRegistry registry,
            Duration maxPollWait,
            Duration retryBackoff,
            SerdeConfig serdes) {
        Map<String, Object> consumerProps = new HashMap<>(kafka.consumerProperties());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The consumer keeps one fetch in flight per broker; a partition resumed while a fetch for the others is
        // parked at the broker waits for it. A short park keeps that wait (and so the lateness) short.
        consumerProps.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        // The classic group protocol: with the KIP-848 consumer (Kafka 4.3.1), poll(timeout) can loop without waiting
        // while a partition is paused (see the processor's ProcessorLoop.poll), and a held tier made this thread spin
        // a core for as long as a job waited (measured in `jobstream dev` with one job held in jobs.delay.10m: 1,566
        // CPU ticks per 10 s, 98 with this line, as idle; docs/BENCHMARKS.md). The classic consumer waits out the
        // timeout. One forwarder per queue: the new protocol's rebalancing buys nothing here.
        consumerProps.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        // sized for a job as large as a tier takes (RecordLimits): the queue takes as much as its tiers
        Map<String, Object> producerProps =
                RecordLimits.sizedForInternalRecords(new HashMap<>(kafka.producerProperties()));
        producerProps.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, Names.delayForwarderTransactionalId(queue, UUID.randomUUID()));
        // A transaction spans one poll's forwards (milliseconds). If this process dies with one open, it blocks
        // read_committed readers of the tiers and the queue until the broker aborts it: 10 s, as Kafka Streams.
        producerProps.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            return new DelayForwarder(
                    queue,
                    tiers,
                    consumer,
                    new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer()),
                    clock,
                    registry,
                    maxPollWait,
                    retryBackoff,
                    serdes);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** Starts the poll thread, named {@code jobstream-delay-forwarder-<queue>}. */
    public synchronized DelayForwarder start() {
        if (thread != null) {
            throw new IllegalStateException("the delay forwarder of " + queue + " is already started");
        }
        Thread t = new Thread(this::run, "jobstream-delay-forwarder-" + queue);
        t.setDaemon(false);
        thread = t;
        t.start();
        return this;
    }

    /** The fault that stopped the poll thread, if one did. */
    public Throwable failure() {
        return failure;
    }

    /** Whether the poll thread is running. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    private void run() {
        try {
            while (!closing) {
                pollOnce();
            }
        } catch (WakeupException | InterruptException e) {
            if (!closing) {
                failure = e;
                LOG.error("delay forwarder stopped queue={}", queue, e);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("delay forwarder stopped queue={}", queue, e);
        } finally {
            closeClients();
            stopped.countDown();
        }
    }

    /**
     * One round: resume partitions that are due, poll, forward what is due and hold the rest. Called by the poll
     * thread; tests call it directly without {@link #start()}.
     */
    void pollOnce() {
        if (!initialized) {
            producer.initTransactions();
            consumer.subscribe(tierOfTopic.keySet(), new Rebalance());
            initialized = true;
        }
        Instant now = clock.instant();
        resumeDue(now);
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout(now));
        if (records.isEmpty() && records.nextOffsets().isEmpty() && pendingPositions.isEmpty()) {
            return;
        }
        now = clock.instant();
        List<Forward> batch = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        Map<TopicPartition, Long> firstOffsets = new LinkedHashMap<>();
        Set<TopicPartition> heldNow = new HashSet<>();
        boolean alone = false; // the batch is one suspect's forward: every other record waits for the next round
        for (TopicPartition partition : records.partitions()) {
            Duration tier = tierOfTopic.get(partition.topic());
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                boolean suspect = suspects.getOrDefault(partition, Set.of()).contains(record.offset());
                if (alone || (suspect && !batch.isEmpty())) {
                    hold(partition, record.offset(), now); // polled again at once
                    heldNow.add(partition);
                    break;
                }
                Refusal refusal = refused.getOrDefault(partition, Map.of()).get(record.offset());
                if (refusal != null) {
                    ProducerRecord<byte[], byte[]> failure;
                    try {
                        failure = failureRecord(record, refusal, now);
                    } catch (RuntimeException e) {
                        // e.g. a schema registry that is down (Confluent format): try again after the backoff
                        LOG.warn("delay forward failure record not encoded queue={} error={}", queue, e.toString());
                        hold(partition, record.offset(), now.plus(retryBackoff));
                        heldNow.add(partition);
                        break;
                    }
                    batch.add(new Forward(failure, null, partition, record.offset(), true));
                    firstOffsets.putIfAbsent(partition, record.offset());
                    offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    continue;
                }
                Instant entered = record.timestamp() < 0 ? now : Instant.ofEpochMilli(record.timestamp());
                Release release = Release.decide(
                        now, tier, entered, JobHeaders.instant(record.headers(), JobHeaders.DUE_AT), tiers);
                if (release instanceof Release.Hold hold) {
                    hold(partition, record.offset(), hold.until());
                    heldNow.add(partition);
                    break;
                }
                String target = release instanceof Release.ToTier toTier ? Topics.delay(queue, toTier.tier()) : queue;
                Instant due = release instanceof Release.ToQueue toQueue ? toQueue.due() : null;
                batch.add(new Forward(
                        new ProducerRecord<>(
                                target, null, now.toEpochMilli(), record.key(), record.value(), record.headers()),
                        due,
                        partition,
                        record.offset(),
                        false));
                firstOffsets.putIfAbsent(partition, record.offset());
                offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
                alone = suspect;
            }
        }
        // The position can be past the last record forwarded: a read_committed consumer skips transaction markers
        // (the router and this forwarder write the tiers in transactions) and aborted records. Where every record of
        // the poll was forwarded, commit the position, so the group's committed offset reaches the log end.
        records.nextOffsets().forEach((partition, next) -> {
            if (!heldNow.contains(partition)) {
                offsets.merge(partition, next, (a, b) -> a.offset() >= b.offset() ? a : b);
            }
        });
        // positions a failed transaction did not commit (partitions with nothing forwarded), unless held since
        pendingPositions.forEach((partition, position) -> {
            if (!heldNow.contains(partition)) {
                offsets.merge(partition, position, (a, b) -> a.offset() >= b.offset() ? a : b);
            }
        });
        pendingPositions.clear();
        offsets.entrySet().removeIf(e -> e.getValue().offset() <= committedUpTo.getOrDefault(e.getKey(), -1L));
        if (!batch.isEmpty() || !offsets.isEmpty()) {
            commit(batch, offsets, firstOffsets);
        }
    }

    private void commit(
            List<Forward> batch,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            Map<TopicPartition, Long> firstOffsets) {
        try {
            producer.beginTransaction();
            for (Forward forward : batch) {
                producer.send(forward.record(), (metadata, error) -> forward.error = error);
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commitTransaction(batch.size());
        } catch (ProducerFencedException
                | InvalidProducerEpochException
                | OutOfOrderSequenceException
                | UnsupportedVersionException
                | AuthorizationException e) {
            throw e; // fatal for this producer: stop, another instance owns the partitions now
        } catch (KafkaException e) {
            LOG.warn(
                    "delay forward failed queue={} records={}; aborting and retrying in {}",
                    queue,
                    batch.size(),
                    retryBackoff,
                    e);
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailure) {
                e.addSuppressed(abortFailure);
                throw e;
            }
            // The sends' callbacks have run once the abort returned. A record its target refused for good (too large
            // for the queue or a tier) would abort every retry: it goes to <queue>.failed instead, retried at once.
            // Only a record refused itself counts: a later send of the same transaction fails with the refusal as its
            // cause, and a batch still waiting when the refusal came fails with the very same exception. So when more
            // than one record carries a refusal, each is a suspect, forwarded again alone.
            List<Forward> candidates = batch.stream()
                    .filter(forward ->
                            !forward.isFailure() && forward.error != null && RecordLimits.isRefusal(forward.error))
                    .toList();
            if (candidates.size() > 1) {
                for (Forward forward : candidates) {
                    suspects.computeIfAbsent(forward.source(), p -> new HashSet<>())
                            .add(forward.offset());
                }
                LOG.warn(
                        "delay_forward_refused_ambiguous queue={} records={}; forwarding each alone to find the one"
                                + " refused",
                        queue,
                        candidates.size());
            }
            if (candidates.size() == 1) {
                Forward forward = candidates.getFirst();
                suspectPassed(forward);
                refused.computeIfAbsent(forward.source(), p -> new HashMap<>())
                        .put(forward.offset(), new Refusal(forward.record().topic(), forward.error));
                LOG.warn(
                        "delay_forward_refused queue={} target={} source={} error={}; writing a trimmed failure to {}",
                        queue,
                        forward.record().topic(),
                        Trimming.reference(
                                forward.source().topic(), forward.source().partition(), forward.offset()),
                        forward.error.toString(),
                        failedTopic);
            }
            boolean refusedForGood = !candidates.isEmpty();
            Instant retryAt = refusedForGood ? clock.instant() : clock.instant().plus(retryBackoff);
            firstOffsets.forEach((partition, offset) -> hold(partition, offset, retryAt));
            // A partition with nothing forwarded only moved past markers (or was fetched empty): its position is
            // committed with the next transaction. It is never rewound: the offset before the position may be a
            // record already forwarded (by an earlier instance), or not exist at all (position 0).
            offsets.forEach((partition, offset) -> {
                if (!firstOffsets.containsKey(partition)) {
                    pendingPositions.merge(partition, offset, (a, b) -> a.offset() >= b.offset() ? a : b);
                }
            });
            return;
        }
        offsets.forEach((partition, offset) -> committedUpTo.put(partition, offset.offset()));
        batch.forEach(this::suspectPassed);
        for (Forward forward : batch) {
            if (forward.isFailure()) {
                Map<Long, Refusal> ofPartition = refused.get(forward.source());
                if (ofPartition != null && ofPartition.remove(forward.offset()) != null && ofPartition.isEmpty()) {
                    refused.remove(forward.source());
                }
            }
        }
        Instant committed = clock.instant();
        for (Forward forward : batch) {
            if (forward.due() != null) {
                lateness.record(
                        Duration.between(forward.due(), committed).isNegative()
                                ? Duration.ZERO
                                : Duration.between(forward.due(), committed));
            }
        }
    }

    /** The forward's record is no longer a suspect: it was forwarded, or refused alone. */
    private void suspectPassed(Forward forward) {
        Set<Long> ofPartition = suspects.get(forward.source());
        if (ofPartition != null && ofPartition.remove(forward.offset()) && ofPartition.isEmpty()) {
            suspects.remove(forward.source());
        }
    }

    /**
     * Commits the open transaction. A commit that times out ({@code max.block.ms}) may still be completing, so, as
     * Kafka's producer contract says, it is retried (never aborted) until it completes; a commit the broker gave up on
     * (the transaction timed out and was aborted) then fails fatally (fenced epoch) and stops the forwarder. Closing
     * the forwarder stops the retries.
     */
    private void commitTransaction(int records) {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                if (attempt > 1) {
                    LOG.info("delay forward commit completed queue={} records={} attempts={}", queue, records, attempt);
                }
                return;
            } catch (TimeoutException e) {
                if (closing) {
                    throw e;
                }
                LOG.warn(
                        "delay forward commit timed out queue={} records={} attempt={}; retrying the commit ({})",
                        queue,
                        records,
                        attempt,
                        e.getMessage());
            }
        }
    }

    /**
     * The failure written to {@code <queue>.failed} for a tier record its target refused for good: trimmed ({@link
     * Trimming}: the job without payload or headers map, pointing at the tier record), {@code REJECTED}, not
     * retryable, so the failure router dead-letters it.
     */
    private ProducerRecord<byte[], byte[]> failureRecord(
            ConsumerRecord<byte[], byte[]> record, Refusal refusal, Instant now) {
        Job job;
        try {
            job = jobs.decode(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            job = null; // the failure still names the record; its job's id and type are then unknown
        }
        String source = Trimming.reference(record.topic(), record.partition(), record.offset());
        JobFailure whole = JobFailure.newBuilder()
                .setJob(job)
                .setReason(FailureReason.REJECTED)
                .setErrorClass(refusal.error().getClass().getName())
                .setMessage(refusal.target() + " refused the delayed job for good: " + refusal.error())
                .setRetryable(false)
                .setFailedAt(now)
                .setWorkerId(WORKER_ID)
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .build();
        JobFailure trimmed = Trimming.failure(whole, refusal.error().toString());
        RecordHeaders headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.FAILURE_REASON, FailureReason.REJECTED.name());
        if (job != null) {
            JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
            JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        }
        Trimming.mark(headers, source);
        byte[] key = record.key() == null || record.key().length <= TRIMMED_KEY_LIMIT ? record.key() : null;
        return new ProducerRecord<>(
                failedTopic, null, now.toEpochMilli(), key, failures.encode(failedTopic, trimmed), headers);
    }

    private void hold(TopicPartition partition, long offset, Instant until) {
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        heldUntil.put(partition, until);
    }

    private void resumeDue(Instant now) {
        List<TopicPartition> due = new ArrayList<>();
        heldUntil.entrySet().removeIf(entry -> {
            if (!now.isBefore(entry.getValue())) {
                due.add(entry.getKey());
                return true;
            }
            return false;
        });
        if (!due.isEmpty()) {
            consumer.resume(due);
        }
    }

    private Duration pollTimeout(Instant now) {
        Duration timeout = maxPollWait;
        for (Instant until : heldUntil.values()) {
            Duration left = Duration.between(now, until);
            if (left.compareTo(timeout) < 0) {
                timeout = left.isNegative() ? Duration.ZERO : left;
            }
        }
        return timeout;
    }

    /** The partitions currently held, and until when (for tests and diagnostics; poll thread only). */
    Map<TopicPartition, Instant> held() {
        return Map.copyOf(heldUntil);
    }

    /**
     * Stops the poll thread and closes the consumer and producer; waits up to {@code timeout}. Idempotent.
     *
     * @return whether the thread stopped within {@code timeout}
     */
    public boolean close(Duration timeout) {
        closing = true;
        Thread t = thread;
        if (t == null) {
            synchronized (this) {
                if (thread == null && stopped.getCount() > 0) {
                    closeClients();
                    stopped.countDown();
                }
            }
            return true;
        }
        consumer.wakeup();
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private void closeClients() {
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("closing the delay forwarder's producer failed queue={}", queue, e);
        }
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the delay forwarder's consumer failed queue={}", queue, e);
        }
        kafkaMeters.forEach(KafkaMeters.Binding::close);
        jobs.close();
        failures.close();
    }

    /** A record to write for the tier record at {@code source}/{@code offset}; {@code error} set by its send. */
    private static final class Forward {
        private final ProducerRecord<byte[], byte[]> record;
        private final Instant due;
        private final TopicPartition source;
        private final long offset;
        private final boolean failure;
        volatile Exception error;

        Forward(
                ProducerRecord<byte[], byte[]> record,
                Instant due,
                TopicPartition source,
                long offset,
                boolean failure) {
            this.record = record;
            this.due = due;
            this.source = source;
            this.offset = offset;
            this.failure = failure;
        }

        ProducerRecord<byte[], byte[]> record() {
            return record;
        }

        /** When it is due, for a job returned to the queue; else null. */
        Instant due() {
            return due;
        }

        TopicPartition source() {
            return source;
        }

        long offset() {
            return offset;
        }

        /** Whether it is the failure record of a tier record refused for good (not a forward). */
        boolean isFailure() {
            return failure;
        }
    }

    /** A target topic refused a forward for good ({@link RecordLimits#isRefusal}) with {@code error}. */
    private record Refusal(String target, Exception error) {}

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(heldUntil::remove);
            partitions.forEach(committedUpTo::remove);
            partitions.forEach(refused::remove);
            partitions.forEach(suspects::remove);
            partitions.forEach(pendingPositions::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(heldUntil::remove);
            partitions.forEach(committedUpTo::remove);
            partitions.forEach(refused::remove);
            partitions.forEach(suspects::remove);
            partitions.forEach(pendingPositions::remove);
        }
    }
}
