package io.jobstream.dlq.replay;

import io.jobstream.dlq.internal.FailureHistory;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.DeadLetter;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobDecodeException;
import io.jobstream.schemas.JobEvent;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.JobState;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.schemas.Trimming;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists, shows and replays the dead letters of {@code <queue>.dlq}: the library behind {@code jobstream dlq
 * list|show|replay} and the admin routes ({@link DlqAdminRoutes}).
 *
 * <pre>{@code
 * try (DlqReplay dlq = DlqReplay.create(kafka)) {
 *     ReplaySummary summary = dlq.replay(
 *             ReplayRequest.of(ReplayFilter.all("emails").withType("send_email")).rate(50),
 *             (item, done, total) -> bar.step(done, total));
 * }
 * }</pre>
 *
 * <p>Reading is bounded: each call reads {@code <queue>.dlq} (read_committed, no consumer group) from the beginning
 * to the end offsets taken when it starts, and never waits for newer records. A replay republishes each matched
 * job to {@code <queue>} (or the request's {@code toQueue}) with attempt 1, the dead letter's key, the job headers
 * ({@code jobstream.job-id}, {@code -type}, {@code -attempt}, {@code -content-type}, {@code traceparent}) and {@code
 * jobstream.replayed-from = <dlq-topic>/<partition>/<offset>}; the job's failure history is removed. It emits a
 * {@code REPLAYED} event to the target queue's {@code .events} and writes the dead letter to the compacted {@code
 * <queue>.dlq.replayed} under the key {@code <partition>/<offset>}, all three in one Kafka transaction (transactional
 * id {@code <queue>.dlq-replay}, {@link Names#dlqReplayTransactionalId}). A replay skips dead letters recorded there ({@link
 * ReplayItem.Outcome#ALREADY_REPLAYED}) unless forced. Once-only under concurrency: a real replay initialises its
 * transactions before it reads anything, which fences a replay of the same queue still running (its next write fails
 * with {@code ProducerFencedException}) and completes that one's open transaction; the replayed set is read after that,
 * read_committed, so it holds everything the fenced replay committed and nothing it did not.
 *
 * <p>Threading: one call at a time per instance (it is not thread-safe); calls block. Failure contract: expected
 * outcomes are in the {@link ReplaySummary}; a missing topic ({@code <queue>.dlq}, and for a real replay {@code
 * <queue>.dlq.replayed} and the target queue with its {@code .events}) is an {@link IllegalArgumentException},
 * checked before anything is written; a Kafka error
 * aborts the open transaction and is thrown (what was committed before stays recorded, so running the replay again
 * resumes it).
 *
 * <p>Tracing: each replayed job is a {@code PRODUCER} span {@code replay <target queue>}, the root of a new trace (replaying
 * is an operator's act, not part of the job's first life) linked to the dead letter's span (its record's {@code
 * traceparent} header); the replayed job's {@code traceParent} is that span, so its processing joins the new trace.
 * With the no-op OpenTelemetry the job keeps the {@code traceParent} it had.
 */
public final class DlqReplay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DlqReplay.class);
    private static final int BATCH = 100;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaSettings kafka;
    private final Clock clock;
    private final JobSerde<DeadLetter> deadLetters;
    private final JobSerde<Job> jobs;
    private final JobSerde<JobEvent> events;
    private final Tracer tracer;

    private DlqReplay(KafkaSettings kafka, SerdeConfig serdes, Clock clock, OpenTelemetry openTelemetry) {
        this.tracer = Tracing.tracer(Objects.requireNonNull(openTelemetry, "openTelemetry"));
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadLetters = JobSerde.forDeadLetter(serdes);
        this.jobs = JobSerde.forJob(serdes);
        this.events = JobSerde.forEvent(serdes);
    }

    /** A replayer talking to {@code kafka}, writing Avro single-object encoding, on the system clock. */
    public static DlqReplay create(KafkaSettings kafka) {
        return create(kafka, SerdeConfig.singleObject(), Clock.systemUTC());
    }

    /** A replayer with its serdes and clock (the clock dates events and paces the rate). */
    public static DlqReplay create(KafkaSettings kafka, SerdeConfig serdes, Clock clock) {
        return create(kafka, serdes, clock, Tracing.global());
    }

    /** A replayer with its serdes and clock, tracing each replayed job with {@code openTelemetry}. */
    public static DlqReplay create(KafkaSettings kafka, SerdeConfig serdes, Clock clock, OpenTelemetry openTelemetry) {
        return new DlqReplay(kafka, serdes, clock, openTelemetry);
    }

    /** The dead letters {@code filter} matches, oldest first per partition, up to its limit. */
    public List<DeadLetterEntry> list(ReplayFilter filter) {
        Set<String> replayed = replayedKeys(filter.queue(), true);
        return scan(filter, replayed).stream().map(Scanned::entry).toList();
    }

    /** The dead letter at {@code partition}/{@code offset} of {@code <queue>.dlq}, when there is one. */
    public Optional<DeadLetterEntry> show(String queue, int partition, long offset) {
        String topic = Topics.dlq(queue);
        Set<String> replayed = replayedKeys(queue, true);
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            requireTopic(consumer, topic);
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            if (offset < 0 || offset >= end) {
                return Optional.empty();
            }
            consumer.seek(tp, offset);
            List<DeadLetterEntry> found = new ArrayList<>();
            readUntil(
                    consumer,
                    Map.of(tp, end),
                    record -> {
                        if (found.isEmpty() && record.offset() >= offset) {
                            if (record.offset() == offset) {
                                decode(record, replayed).ifPresent(s -> found.add(s.entry()));
                            }
                            found.add(null);
                        }
                    },
                    () -> !found.isEmpty());
            return found.isEmpty() ? Optional.empty() : Optional.ofNullable(found.getFirst());
        }
    }

    /** {@link #replay(ReplayRequest, ReplayProgress)} without progress. */
    public ReplaySummary replay(ReplayRequest request) {
        return replay(request, ReplayProgress.NONE);
    }

    /** Replays what {@code request} selects; see the class comment. */
    public ReplaySummary replay(ReplayRequest request, ReplayProgress progress) {
        if (request.dryRun()) {
            return replay(request, progress, null);
        }
        // Fence first, read second: initTransactions fences a replay of the same queue still running and completes
        // its open transaction, so the replayed set read afterwards (read_committed) holds everything it committed.
        try (KafkaProducer<byte[], byte[]> producer = producer(request.filter().queue())) {
            producer.initTransactions();
            return replay(request, progress, producer);
        }
    }

    private ReplaySummary replay(
            ReplayRequest request, ReplayProgress progress, KafkaProducer<byte[], byte[]> producer) {
        String queue = request.filter().queue();
        Set<String> replayed = replayedKeys(queue, request.dryRun());
        List<Scanned> matched = scan(request.filter(), replayed);
        List<ReplayItem> items = new ArrayList<>(matched.size());
        List<Scanned> toReplay = new ArrayList<>();
        int skipped = 0;
        int already = 0;
        for (Scanned s : matched) {
            DeadLetterEntry entry = s.entry();
            if (!entry.hasJob()) {
                skipped++;
                settle(items, new ReplayItem(entry, ReplayItem.Outcome.SKIPPED_NO_JOB), matched.size(), progress);
            } else if (s.trimmed()) {
                skipped++;
                settle(items, new ReplayItem(entry, ReplayItem.Outcome.SKIPPED_TRIMMED), matched.size(), progress);
            } else if (entry.replayed() && !request.force()) {
                already++;
                settle(items, new ReplayItem(entry, ReplayItem.Outcome.ALREADY_REPLAYED), matched.size(), progress);
            } else if (request.dryRun()) {
                settle(items, new ReplayItem(entry, ReplayItem.Outcome.WOULD_REPLAY), matched.size(), progress);
            } else {
                toReplay.add(s);
            }
        }
        if (!toReplay.isEmpty()) {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                requireTopic(consumer, request.targetQueue());
                requireTopic(consumer, Topics.events(request.targetQueue()));
            }
            republish(producer, request, toReplay, items, matched.size(), progress);
        }
        int replayedCount = (int) items.stream()
                .filter(i ->
                        i.outcome() == ReplayItem.Outcome.REPLAYED || i.outcome() == ReplayItem.Outcome.WOULD_REPLAY)
                .count();
        LOG.info(
                "dlq replay queue={} target={} dryRun={} force={} matched={} replayed={} skipped={}"
                        + " alreadyReplayed={}",
                queue,
                request.targetQueue(),
                request.dryRun(),
                request.force(),
                matched.size(),
                replayedCount,
                skipped,
                already);
        return new ReplaySummary(matched.size(), replayedCount, skipped, already, items);
    }

    private static void settle(List<ReplayItem> items, ReplayItem item, int total, ReplayProgress progress) {
        items.add(item);
        progress.onItem(item, items.size(), total);
    }

    private void republish(
            KafkaProducer<byte[], byte[]> producer,
            ReplayRequest request,
            List<Scanned> toReplay,
            List<ReplayItem> items,
            int total,
            ReplayProgress progress) {
        String queue = request.filter().queue();
        String target = request.targetQueue();
        String replayedTopic = Topics.dlqReplayed(queue);
        Duration interval = request.ratePerSecond().isPresent()
                ? Duration.ofNanos(
                        (long) Math.ceil(1e9 / request.ratePerSecond().getAsDouble()))
                : Duration.ZERO;
        Instant next = Instant.MIN;
        List<Scanned> batch = new ArrayList<>();
        try {
            for (int n = 0; n < toReplay.size(); n++) {
                Duration wait = next == Instant.MIN ? Duration.ZERO : Duration.between(clock.instant(), next);
                if (wait.isPositive()) {
                    commit(producer, batch, items, total, progress);
                    TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                }
                if (batch.isEmpty()) {
                    producer.beginTransaction();
                }
                Scanned s = toReplay.get(n);
                Instant now = clock.instant();
                send(producer, s, target, replayedTopic, now);
                next = now.plus(interval);
                batch.add(s);
                if (batch.size() >= BATCH) {
                    commit(producer, batch, items, total, progress);
                }
            }
            commit(producer, batch, items, total, progress);
        } catch (KafkaException | InterruptedException e) {
            if (!batch.isEmpty()) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException abortFailed) {
                    e.addSuppressed(abortFailed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("replay interrupted after " + items.size() + " of " + total, e);
            }
            throw (KafkaException) e;
        }
    }

    private static void commit(
            KafkaProducer<byte[], byte[]> producer,
            List<Scanned> batch,
            List<ReplayItem> items,
            int total,
            ReplayProgress progress) {
        if (batch.isEmpty()) {
            return;
        }
        producer.commitTransaction();
        for (Scanned s : batch) {
            settle(items, new ReplayItem(s.entry(), ReplayItem.Outcome.REPLAYED), total, progress);
        }
        batch.clear();
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer, Scanned s, String target, String replayedTopic, Instant now) {
        DeadLetterEntry entry = s.entry();
        Job dead = entry.job().orElseThrow();
        SpanBuilder builder = tracer.spanBuilder("replay " + target)
                .setSpanKind(SpanKind.PRODUCER)
                .setNoParent()
                .setAttribute(Tracing.MESSAGING_SYSTEM, Tracing.KAFKA)
                .setAttribute(Tracing.MESSAGING_DESTINATION, target)
                .setAttribute(Tracing.MESSAGING_OPERATION_TYPE, "send")
                .setAttribute(Tracing.MESSAGING_OPERATION_NAME, "replay")
                .setAttribute(Tracing.MESSAGING_MESSAGE_ID, dead.getId())
                .setAttribute(Tracing.JOB_TYPE, dead.getType());
        SpanContext deadLetter = Tracing.spanContext(s.traceParent());
        if (deadLetter.isValid()) {
            builder.addLink(deadLetter);
        }
        Span span = builder.startSpan();
        Job.Builder replayed =
                Job.newBuilder(dead).setAttempt(1).setHeaders(FailureHistory.withoutHistory(dead.getHeaders()));
        Tracing.traceParent(span).ifPresent(replayed::setTraceParent);
        Job job = replayed.build();
        span.end();
        Headers headers = new RecordHeaders();
        JobHeaders.putText(headers, JobHeaders.JOB_ID, job.getId());
        JobHeaders.putText(headers, JobHeaders.JOB_TYPE, job.getType());
        JobHeaders.putText(headers, JobHeaders.ATTEMPT, "1");
        JobHeaders.putText(headers, JobHeaders.CONTENT_TYPE, job.getContentType());
        job.getTraceParent().ifPresent(trace -> JobHeaders.putText(headers, JobHeaders.TRACEPARENT, trace));
        JobHeaders.putText(headers, JobHeaders.REPLAYED_FROM, entry.address());
        producer.send(
                new ProducerRecord<>(target, null, now.toEpochMilli(), s.key(), jobs.encode(target, job), headers));
        JobEvent event = JobEvent.newBuilder()
                .setJobId(job.getId())
                .setQueue(target)
                .setType(job.getType())
                .setState(JobState.REPLAYED)
                .setAttempt(1)
                .setAt(now)
                .setWorkerId(null)
                .setError(null)
                .build();
        String eventsTopic = Topics.events(target);
        producer.send(new ProducerRecord<>(
                eventsTopic,
                null,
                now.toEpochMilli(),
                utf8(job.getId()),
                events.encode(eventsTopic, event),
                new RecordHeaders()));
        producer.send(new ProducerRecord<>(
                replayedTopic,
                null,
                now.toEpochMilli(),
                utf8(entry.replayedKey()),
                deadLetters.encode(replayedTopic, entry.letter()),
                new RecordHeaders()));
    }

    /** One matched DLQ record: the entry and the record key to republish with. */
    private record Scanned(DeadLetterEntry entry, byte[] key, boolean trimmed, String traceParent) {}

    private List<Scanned> scan(ReplayFilter filter, Set<String> replayed) {
        String topic = Topics.dlq(filter.queue());
        List<Scanned> matched = new ArrayList<>();
        int limit = filter.limit().orElse(Integer.MAX_VALUE);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = requireTopic(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            readUntil(
                    consumer,
                    ends,
                    record -> {
                        if (matched.size() < limit) {
                            decode(record, replayed)
                                    .filter(s -> filter.matches(s.entry()))
                                    .ifPresent(matched::add);
                        }
                    },
                    () -> matched.size() >= limit);
        }
        return matched;
    }

    private Optional<Scanned> decode(ConsumerRecord<byte[], byte[]> record, Set<String> replayed) {
        if (record.value() == null) {
            return Optional.empty();
        }
        DeadLetter letter;
        try {
            letter = deadLetters.decode(record.topic(), record.headers(), record.value());
        } catch (JobDecodeException e) {
            LOG.warn(
                    "undecodable dead letter topic={} partition={} offset={}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return Optional.empty();
        }
        JobFailure last = letter.getLastFailure();
        Job job = last.getJob().orElse(null);
        DeadLetterEntry entry = new DeadLetterEntry(
                record.topic(),
                record.partition(),
                record.offset(),
                job == null ? "unknown" : job.getId(),
                job == null ? "unknown" : job.getType(),
                last.getReason().name(),
                last.getErrorClass().orElse(""),
                last.getMessage(),
                job == null ? 0 : job.getAttempt(),
                letter.getDeadAt(),
                replayed.contains(record.partition() + "/" + record.offset()),
                letter);
        return Optional.of(new Scanned(
                entry,
                record.key(),
                Trimming.isTrimmed(record.headers()),
                JobHeaders.text(record.headers(), JobHeaders.TRACEPARENT).orElse(null)));
    }

    /** The {@code <partition>/<offset>} keys recorded in {@code <queue>.dlq.replayed}. */
    private Set<String> replayedKeys(String queue, boolean missingIsEmpty) {
        String topic = Topics.dlqReplayed(queue);
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                if (missingIsEmpty) {
                    return keys;
                }
                throw new IllegalArgumentException("topic " + topic + " does not exist; create the queue's topics"
                        + " (jobstream topics create) before replaying");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            readUntil(
                    consumer,
                    ends,
                    record -> {
                        if (record.key() == null) {
                            return;
                        }
                        String key = new String(record.key(), StandardCharsets.UTF_8);
                        if (record.value() == null) {
                            keys.remove(key);
                        } else {
                            keys.add(key);
                        }
                    },
                    () -> false);
        }
        return keys;
    }

    private static List<TopicPartition> requireTopic(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException(
                    "topic " + topic + " does not exist; create the queue's topics (jobstream topics create)");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /** Polls until every partition's position reached its end offset (or {@code done}); bounded by a stall timeout. */
    private static void readUntil(
            KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> ends,
            Consumer<ConsumerRecord<byte[], byte[]>> each,
            java.util.function.BooleanSupplier done) {
        Map<TopicPartition, Long> left = new HashMap<>(ends);
        long stallDeadline = System.nanoTime() + STALL_TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            left.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            if (left.isEmpty()) {
                return;
            }
            int seen = 0;
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                seen++;
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                Long end = ends.get(tp);
                if (end != null && record.offset() < end) {
                    each.accept(record);
                }
                if (done.getAsBoolean()) {
                    return;
                }
            }
            if (seen > 0) {
                stallDeadline = System.nanoTime() + STALL_TIMEOUT.toNanos();
            } else if (System.nanoTime() > stallDeadline) {
                throw new IllegalStateException("no progress reading " + left.keySet() + " for " + STALL_TIMEOUT);
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer(String queue) {
        // sized for a dead letter's job as large as its queue takes (RecordLimits)
        Map<String, Object> props = RecordLimits.sizedForInternalRecords(new HashMap<>(kafka.producerProperties()));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Names.dlqReplayTransactionalId(queue));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        deadLetters.close();
        jobs.close();
        events.close();
    }
}
