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
 * <p>Threading: one platform thread ({@code jobstream-dlq-router-watchdog}) owns the Admin client and the judges;
 * {@link #problems()} reads a volatile snapshot. Failure contract: a sample that fails is logged at DEBUG and judged
 * as no information (it never makes a stall); the watchdog never stops the service itself.
 */
public final class RouterWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterWatchdog.class);

    private final Map<String, KafkaStreams> routers;
    private final Map<String, Object> adminProps;
    private final MeterRegistry registry;
    private final Duration timeout;
    private final Duration interval;
    private final Clock clock;
    private final Map<String, RouterProgress> judges = new LinkedHashMap<>();
    private final Map<String, Restores> restores = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile List<String> problems = List.of();

    /**
     * @param routers each queue's router (its Streams client)
     * @param timeout how long failures may wait with none routed before the router is stalled
     * @param interval how often the routers' groups are read
     */
    public RouterWatchdog(
            Map<String, KafkaStreams> routers,
            KafkaSettings kafka,
            MeterRegistry registry,
            Duration timeout,
            Duration interval,
            Clock clock) {
        this.routers = new LinkedHashMap<>(routers);
        this.adminProps = kafka.adminProperties();
        this.registry = Objects.requireNonNull(registry, "registry");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String queue : this.routers.keySet()) {
            judges.put(queue, new RouterProgress(timeout));
            restores.put(queue, new Restores());
        }
        this.thread = Thread.ofPlatform()
                .name("jobstream-dlq-router-watchdog")
                .daemon(true)
                .unstarted(this::run);
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

    /** Starts watching. */
    public RouterWatchdog start() {
        thread.start();
        return this;
    }

    /** The stalled routers, one entry each (e.g. {@code router jobs stalled: 12 failures waiting ...}). */
    public List<String> problems() {
        return problems;
    }

    private void run() {
        try (Admin admin = Admin.create(adminProps)) {
            KafkaMeters.Binding meters = KafkaMeters.bind(registry, admin);
            try {
                LagSampler sampler = new LagSampler(
                        admin, interval.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : interval);
                Map<String, Instant> reported = new LinkedHashMap<>();
                while (running) {
                    List<String> found = new ArrayList<>();
                    for (Map.Entry<String, RouterProgress> entry : judges.entrySet()) {
                        String queue = entry.getKey();
                        Optional<RouterProgress.Stall> stall = judge(sampler, queue, entry.getValue());
                        if (stall.isEmpty()) {
                            if (reported.remove(queue) != null) {
                                LOG.info("router_progress queue={} the router routes again", queue);
                            }
                            continue;
                        }
                        RouterProgress.Stall s = stall.get();
                        found.add("router " + queue + " stalled: " + s.waiting() + " failures waiting in "
                                + s.partitions() + ", none routed since " + s.since());
                        if (!s.since().equals(reported.get(queue))) {
                            reported.put(queue, s.since());
                            report(admin, queue, s);
                        }
                    }
                    problems = List.copyOf(found);
                    sleep(interval);
                }
            } finally {
                meters.close();
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("router watchdog stopped; stalled routers are no longer reported", e);
            }
        }
    }

    private Optional<RouterProgress.Stall> judge(LagSampler sampler, String queue, RouterProgress judge) {
        judge.restored(restores.get(queue).lastProgress());
        switch (sampler.sample(List.of(Names.dlqRouter(queue))).get(Names.dlqRouter(queue))) {
            case LagSampler.GroupLagSample.Read read -> judge.observe(clock.instant(), read.partitions());
            case LagSampler.GroupLagSample.Failed failed -> {
                LOG.debug("router watchdog sample failed queue={} error={}", queue, failed.error());
                judge.sampleFailed();
            }
        }
        return judge.stall(clock.instant());
    }

    /** Logs what an operator needs to find why {@code queue}'s router stalled. */
    private void report(Admin admin, String queue, RouterProgress.Stall stall) {
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
        Thread.getAllStackTraces().forEach((t, stack) -> {
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
        List<TopicPartition> partitions = new ArrayList<>(stall.partitions());
        partitions.addAll(restores.get(queue).partitions());
        try {
            admin.describeProducers(partitions, new DescribeProducersOptions().timeoutMs(10_000))
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

    private void sleep(Duration wait) {
        Instant until = Instant.now().plus(wait);
        try {
            while (running && Instant.now().isBefore(until)) {
                Thread.sleep(Math.min(
                        100, Math.max(1, Duration.between(Instant.now(), until).toMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops watching, waiting up to {@code timeout}. */
    public boolean close(Duration timeout) {
        running = false;
        try {
            return thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IllegalThreadStateException notStarted) {
            return true;
        }
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
