package io.jobstream.dlq.internal;

import io.jobstream.runtime.KafkaMeters;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.LagSampler;
import io.jobstream.schemas.Names;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each queue's failure router for progress (RELIABILITY.md, finding 4: a router whose Streams client says
 * RUNNING and whose group is stable, yet routes nothing while failures wait, loses the jobs behind them). Every
 * {@code interval} it reads the router group's committed offsets and the {@code read_committed} ends of its input
 * ({@link LagSampler}) and judges them with {@link RouterProgress}; a restore of the router's store that makes progress
 * is progress too ({@link #restoreListener(String)}).
 *
 * <p>A stalled router is a {@link #problems() problem}: {@code /ready} reports it and the {@code jobstream
 * dlq-service} process exits 1, so its supervisor starts a new one, which resumes from the last commit (nothing is
 * lost: the failures wait in {@code <queue>.failed}). On the first sample of a stall it logs, at ERROR, what an
 * operator needs to find the cause: the Streams client's and threads' states, each task's committed and end offsets,
 * the stacks of the router's threads, the restores in progress, and the open transactions on the router's input and
 * changelog partitions ({@code describeProducers}).
 *
 * <p>Threading: one scheduled platform thread ({@code jobstream-dlq-router-watchdog}) samples with the Admin client
 * and owns the judges; {@link #problems()} reads a volatile snapshot. Failure contract: a group that cannot be read
 * is logged at DEBUG and judged as no information (it never makes a stall); a round that throws is logged and the
 * next one runs; the watchdog never stops the service itself.
 */
public final class RouterWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterWatchdog.class);
    /** An open transaction older than this (the brokers' default {@code transaction.max.timeout.ms}) hangs. */
    private static final Duration HANGING = Duration.ofMinutes(15);

    private final Map<String, KafkaStreams> routers;
    private final Map<String, String> changelogs;
    /** The input partitions of each router's group last read (for the changelog partitions of its tasks). */
    private final Map<String, List<Integer>> inputPartitions = new ConcurrentHashMap<>();

    private final Map<String, Object> adminProps;
    private final MeterRegistry registry;
    private final Duration timeout;
    private final Duration interval;
    private final Clock clock;
    private final Map<String, RouterProgress> judges = new LinkedHashMap<>();
    private final Map<String, Restores> restores = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Map<String, Instant> reported = new LinkedHashMap<>();
    private Admin admin;
    private KafkaMeters.Binding adminMeters;
    private LagSampler sampler;
    private volatile List<String> problems = List.of();

    /**
     * @param routers each queue's router (its Streams client)
     * @param changelogs each queue's router's store changelog topic (its open transactions are reported)
     * @param timeout how long failures may wait with none routed before the router is stalled
     * @param interval how often the routers' groups are read
     */
    public RouterWatchdog(
            Map<String, KafkaStreams> routers,
            Map<String, String> changelogs,
            KafkaSettings kafka,
            MeterRegistry registry,
            Duration timeout,
            Duration interval,
            Clock clock) {
        this.routers = new LinkedHashMap<>(routers);
        this.changelogs = Map.copyOf(changelogs);
        this.adminProps = kafka.adminProperties();
        this.registry = Objects.requireNonNull(registry, "registry");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String queue : this.routers.keySet()) {
            judges.put(queue, new RouterProgress(timeout));
            restores.put(queue, new Restores());
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("jobstream-dlq-router-watchdog")
                .daemon(true)
                .factory());
    }

    /** The default sampling interval for {@code timeout}: a sixth of it, between 1 and 10 seconds. */
    public static Duration interval(Duration timeout) {
        Duration sixth = timeout.dividedBy(6);
        if (sixth.compareTo(Duration.ofSeconds(1)) < 0) {
            return Duration.ofSeconds(1);
        }
        return sixth.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : sixth;
    }

    /**
     * The listener to give {@code queue}'s router ({@link KafkaStreams#setGlobalStateRestoreListener}) before it starts:
     * its restore progress counts as progress.
     */
    public StateRestoreListener restoreListener(String queue) {
        return Objects.requireNonNull(restores.get(queue), () -> "not a watched queue: " + queue);
    }

    /** Starts watching: a sample now and then every interval. */
    public synchronized RouterWatchdog start() {
        admin = Admin.create(adminProps);
        adminMeters = KafkaMeters.bind(registry, admin);
        sampler =
                new LagSampler(admin, interval.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : interval);
        scheduler.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The stalled routers, one entry each (e.g. {@code router jobs stalled: 12 failures waiting ...}). */
    public List<String> problems() {
        return problems;
    }

    /** One round: judges every router and publishes the stalled ones (on the watchdog thread). */
    private void sample() {
        try {
            List<String> found = new ArrayList<>();
            for (Map.Entry<String, RouterProgress> entry : judges.entrySet()) {
                String queue = entry.getKey();
                Optional<RouterProgress.Stall> stall = judge(queue, entry.getValue());
                if (stall.isEmpty()) {
                    if (reported.remove(queue) != null) {
                        LOG.info("router_progress queue={} the router routes again", queue);
                    }
                    continue;
                }
                RouterProgress.Stall s = stall.get();
                found.add("router " + queue + " stalled: " + s.waiting() + " failures waiting in " + s.partitions()
                        + ", none routed since " + s.since());
                if (!s.since().equals(reported.get(queue))) {
                    reported.put(queue, s.since());
                    report(queue, s);
                }
            }
            problems = List.copyOf(found);
        } catch (RuntimeException e) {
            LOG.warn("router watchdog sample failed; trying again in {}", interval, e);
        }
    }

    private Optional<RouterProgress.Stall> judge(String queue, RouterProgress judge) {
        judge.restored(restores.get(queue).lastProgress());
        switch (sampler.sample(List.of(Names.dlqRouter(queue))).get(Names.dlqRouter(queue))) {
            case LagSampler.GroupLagSample.Read read -> {
                judge.observe(clock.instant(), read.partitions());
                inputPartitions.put(
                        queue,
                        read.partitions().stream()
                                .map(p -> p.partition().partition())
                                .distinct()
                                .sorted()
                                .toList());
            }
            case LagSampler.GroupLagSample.Failed failed -> {
                LOG.debug("router watchdog sample failed queue={} error={}", queue, failed.error());
                judge.sampleFailed();
            }
        }
        return judge.stall(clock.instant());
    }

    /** Logs what an operator needs to find why {@code queue}'s router stalled. */
    private void report(String queue, RouterProgress.Stall stall) {
        KafkaStreams streams = routers.get(queue);
        StringBuilder out = new StringBuilder();
        out.append("router_stalled queue=")
                .append(queue)
                .append(" waiting=")
                .append(stall.waiting())
                .append(" partitions=")
                .append(stall.partitions())
                .append(" since=")
                .append(stall.since())
                .append(" timeout=")
                .append(timeout)
                .append(" state=")
                .append(streams.state())
                .append("; the process reports it on /ready and exits, its supervisor starts a new one");
        try {
            for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                out.append("\n  thread ").append(t.threadName()).append(' ').append(t.threadState());
                for (TaskMetadata task : t.activeTasks()) {
                    out.append("\n    active task ")
                            .append(task.taskId())
                            .append(" committed=")
                            .append(task.committedOffsets())
                            .append(" end=")
                            .append(task.endOffsets())
                            .append(" idlingSince=")
                            .append(task.timeCurrentIdlingStarted());
                }
                for (TaskMetadata task : t.standbyTasks()) {
                    out.append("\n    standby task ").append(task.taskId());
                }
            }
        } catch (RuntimeException e) {
            out.append("\n  thread metadata not read: ").append(e);
        }
        out.append("\n  restores: ").append(restores.get(queue).describe());
        String prefix = Names.dlqRouter(queue) + "-";
        Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
        // a StateUpdater thread that died leaves restores that never end: its absence from this list says so
        out.append("\n  threads alive: ")
                .append(stacks.keySet().stream()
                        .map(Thread::getName)
                        .filter(name -> name.startsWith(prefix))
                        .map(name -> name.substring(prefix.length()))
                        .sorted()
                        .toList());
        stacks.forEach((t, stack) -> {
            if (t.getName().startsWith(prefix)) {
                out.append("\n  stack of ")
                        .append(t.getName())
                        .append(" (")
                        .append(t.getState())
                        .append(')');
                for (StackTraceElement frame : stack) {
                    out.append("\n      at ").append(frame);
                }
            }
        });
        // open transactions on the stalled input and on the store's changelog: a restore reads the changelog
        // read_committed up to its log end, so a transaction that never ends there keeps the router restoring forever
        java.util.Set<TopicPartition> partitions = new java.util.LinkedHashSet<>(stall.partitions());
        String changelog = changelogs.get(queue);
        if (changelog != null) {
            inputPartitions
                    .getOrDefault(queue, List.of())
                    .forEach(n -> partitions.add(new TopicPartition(changelog, n)));
        }
        partitions.addAll(restores.get(queue).partitions());
        try {
            admin.describeProducers(List.copyOf(partitions), new DescribeProducersOptions().timeoutMs(10_000))
                    .all()
                    .get(15, TimeUnit.SECONDS)
                    .forEach((partition, description) -> {
                        for (ProducerState producer : description.activeProducers()) {
                            if (producer.currentTransactionStartOffset().isPresent()) {
                                out.append("\n  open transaction on ")
                                        .append(partition)
                                        .append(": producerId=")
                                        .append(producer.producerId())
                                        .append(" epoch=")
                                        .append(producer.producerEpoch())
                                        .append(" startOffset=")
                                        .append(producer.currentTransactionStartOffset()
                                                .getAsLong())
                                        .append(" lastWrite=")
                                        .append(Instant.ofEpochMilli(producer.lastTimestamp()));
                                Duration open = Duration.between(
                                        Instant.ofEpochMilli(producer.lastTimestamp()), clock.instant());
                                if (open.compareTo(HANGING) > 0) {
                                    out.append(" HANGING (no write for ")
                                            .append(open)
                                            .append(", longer than transaction.max.timeout.ms's default: abort it with"
                                                    + " kafka-transactions.sh, docs/OPERATIONS.md)");
                                }
                            }
                        }
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.append("\n  open transactions not read: interrupted");
        } catch (Exception e) {
            out.append("\n  open transactions not read: ").append(e);
        }
        LOG.error("{}", out);
    }

    /** Stops watching, waiting up to {@code timeout} for a sample in progress, and closes its Admin client. */
    public synchronized boolean close(Duration timeout) {
        scheduler.shutdownNow();
        boolean stopped;
        try {
            stopped = scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        if (admin != null) {
            adminMeters.close();
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        return stopped;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** One router's restores in progress, and when one last made progress (Streams' restore threads call it). */
    private final class Restores implements StateRestoreListener {
        private final Map<TopicPartition, String> active = new ConcurrentHashMap<>();
        private volatile Instant lastProgress = Instant.MIN;

        Instant lastProgress() {
            return lastProgress;
        }

        List<TopicPartition> partitions() {
            return List.copyOf(active.keySet());
        }

        String describe() {
            return active.isEmpty() ? "none" : active.toString();
        }

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
            active.put(partition, store + " from " + startOffset + " to " + endOffset);
            lastProgress = clock.instant();
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
            active.computeIfPresent(
                    partition, (p, what) -> what.replaceFirst(" at \\d+$", "") + " at " + batchEndOffset);
            lastProgress = clock.instant();
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            active.remove(partition);
            lastProgress = clock.instant();
        }

        @Override
        public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
            active.remove(partition);
        }
    }
}
