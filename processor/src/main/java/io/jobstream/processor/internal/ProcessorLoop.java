package io.jobstream.processor.internal;

import io.jobstream.processor.ProcessorConfig;
import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.schemas.JobstreamException;
import io.jobstream.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread: the only thread that touches the {@link Consumer}. Each turn it applies the outcomes handed back by
 * handler threads (finishing offsets in {@link PartitionProgress}, releasing {@link Lanes}), starts ready jobs up to the
 * in-flight limit on the {@link JobRunner}, pauses partitions whose pending jobs reached the bound and resumes them at
 * half, commits each partition's contiguous finished prefix every commit interval, and polls. When a partition's
 * jobs have all finished, what it commits is the consumer's position, which a {@code read_committed} consumer moves
 * past transaction markers and aborted records without returning them.
 *
 * <p><b>Hand-back and wake-up.</b> Handler threads put their {@link Completion} on a queue and, when the poll thread is
 * parked in {@code poll()}, call {@code consumer.wakeup()} (at most once per park, decided under a lock), so the next
 * job of a key starts without waiting for the poll timeout. A stale wake-up can reach another blocking call; the loop
 * treats {@link WakeupException} from any consumer call as "retry" and never as a signal. While at least {@code
 * concurrency} fetched jobs wait to start, the loop waits on the hand-back queue instead of polling (a poll wakes the
 * consumer's network thread, which a no-op drain pays for per turn), but polls at least every 50 ms.
 *
 * <p><b>Events.</b> A succeeded job whose {@code SUCCEEDED} event is on its way hands back {@link Outcome.Released}
 * first: its in-flight slot and ordering lane are free at once, and its offset finishes when the outcome that follows
 * (the event acknowledged) arrives. Revoke and close wait for those too.
 *
 * <p><b>Rebalance.</b> On revoke it drops the partitions' jobs that have not started, waits up to {@code
 * jobstream.worker.revoke-timeout} for their running ones, commits what finished, and forgets the partitions; jobs
 * still running are stale from then on: their outcomes change nothing, and the partition's {@link WriteGate} is closed,
 * so they write no failure, deferral or event afterwards (dropped and counted by the {@link JobRunner}). On loss it drops everything without
 * committing.
 *
 * <p><b>Cut off from the coordinator.</b> While the consumer has sent its group coordinator no heartbeat for {@code
 * jobstream.worker.heartbeat-silence-limit}, no job starts until one has been answered ({@link HeartbeatSilence}):
 * fetches are not fenced by the group, so a worker healed from a network partition (or SIGCONTed) would otherwise run
 * jobs its successor has run and committed, before the answer tells it its partitions were lost.
 *
 * <p><b>Close.</b> {@link #requestClose(long)} makes the loop stop fetching, drop not-started jobs, wait for running
 * ones until the deadline, {@link JobRunner#abandon() abandon} the rest, commit what finished, and close the consumer
 * (leaving the group). A fault of the consumer that is not retriable ends the loop the same way.
 */
public final class ProcessorLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(10);
    /** Longest wait, on revoke, for sends of the revoked jobs already handing a record to the producer. */
    private static final Duration WRITE_GATE_TIMEOUT = Duration.ofSeconds(1);
    /** Longest time the loop goes without polling while it has enough fetched jobs waiting. */
    private static final long MAX_POLL_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * The first gap between empty polls while some (not all) partitions are paused; it doubles after each empty poll
     * up to {@link #MAX_POLL_GAP_NANOS} and starts again after a poll that returned records.
     */
    private static final long PAUSED_POLL_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ProcessorConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final JobRunner runner;
    private final ProcessorMetrics metrics;
    private final Clock clock;
    private final Lanes<Work> lanes;
    private final HeartbeatSilence heartbeatSilence;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final List<Completion> drained = new ArrayList<>();
    private long lastPollNanos = System.nanoTime();
    /** Whether the last poll returned no records. */
    private boolean lastPollEmpty;
    /** The current gap between empty polls while some partitions are paused (see PAUSED_POLL_GAP_NANOS). */
    private long pausedPollGapNanos = PAUSED_POLL_GAP_NANOS;

    private final Object wakeLock = new Object();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Written under {@link #wakeLock}; read without it by handler threads first (the common case: not parked). */
    private volatile boolean parked;

    private int inFlight;
    /** Jobs released from their slot whose outcome (an acknowledged event) has not come back yet. */
    private int awaitingAck;

    private long lastCommitMillis;
    private volatile boolean closeRequested;
    private volatile long closeDeadlineMillis;
    private volatile boolean closing;
    private volatile Throwable fault;

    public ProcessorLoop(
            ProcessorConfig config,
            Consumer<byte[], byte[]> consumer,
            JobRunner runner,
            ProcessorMetrics metrics,
            Clock clock) {
        this.config = config;
        this.consumer = consumer;
        this.runner = runner;
        this.metrics = metrics;
        this.clock = clock;
        this.lanes = new Lanes<>(config.ordering(), Work::partition, Work::key);
        this.heartbeatSilence = new HeartbeatSilence(consumer, config.heartbeatSilenceLimit(), clock);
    }

    @Override
    public void run() {
        try {
            if (!closeRequested) {
                checkOutputTopics();
            }
            consumer.subscribe(List.of(config.queue()), new Listener());
            lastCommitMillis = clock.millis();
            while (!closeRequested) {
                try {
                    turn();
                } catch (WakeupException | RetriableException e) {
                    LOG.debug("poll_loop_retry error={}", e.toString());
                }
            }
        } catch (Throwable t) {
            fault = t;
            LOG.error("poll_loop_failed queue={} error={}; closing the processor", config.queue(), t.toString(), t);
            closeDeadlineMillis = clock.millis() + config.revokeTimeout().toMillis();
            closeRequested = true;
        }
        try {
            shutDown();
        } catch (Throwable t) {
            LOG.error("poll_loop_close_failed queue={} error={}", config.queue(), t.toString(), t);
        } finally {
            terminated.countDown();
        }
    }

    /**
     * Fails the start when a topic the processor writes to ({@link JobRunner#outputTopics()}) is known not to exist:
     * every job writing to it would otherwise wait for it forever. When the broker cannot say (unreachable,
     * unauthorized), the check is skipped; writes then retry and log.
     */
    private void checkOutputTopics() {
        List<String> required = runner.outputTopics();
        if (required.isEmpty()) {
            return;
        }
        List<String> missing = new ArrayList<>();
        try {
            for (String topic : required) {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, TOPIC_CHECK_TIMEOUT);
                if (partitions == null || partitions.isEmpty()) {
                    missing.add(topic); // the broker answered: no such topic
                }
            }
        } catch (KafkaException e) {
            LOG.warn("topic_check_skipped queue={} topics={} error={}", config.queue(), required, e.toString());
            return;
        }
        if (!missing.isEmpty()) {
            throw new JobstreamException("topics " + missing + " do not exist: create the queue's topics (jobstream"
                    + " topics create, or QueueTopics)"
                    + (missing.contains(Topics.events(config.queue()))
                            ? ", or turn events off (jobstream.worker.events: none)"
                            : ""));
        }
    }

    /** Asks the loop to drain and stop; the first call's deadline (epoch millis) counts. */
    public void requestClose(long deadlineMillis) {
        synchronized (wakeLock) {
            if (!closeRequested) {
                closeDeadlineMillis = deadlineMillis;
                closeRequested = true;
            }
        }
        wake();
    }

    /** Waits until the loop has stopped and closed the consumer; false when {@code timeout} passed first. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether the loop has stopped. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** The fault that ended the loop, if one did. */
    public Throwable fault() {
        return fault;
    }

    /** Hands a job's outcome back; called on handler threads. */
    public void complete(Completion completion) {
        completions.add(completion);
        wake();
    }

    private void wake() {
        // The caller published its completion (or close request) before reading `parked`, and poll() writes `parked`
        // before reading the queue: one of the two sees the other, so a parked poll is always woken. Most hand-backs
        // find the loop busy and skip the lock.
        if (!parked) {
            return;
        }
        synchronized (wakeLock) {
            if (parked) {
                parked = false;
                consumer.wakeup();
            }
        }
    }

    private void turn() {
        applyCompletions();
        startReady();
        applyBackpressure();
        long now = clock.millis();
        if (now - lastCommitMillis >= config.commitInterval().toMillis()) {
            lastCommitMillis = now;
            commitAsync();
            updateLag();
        }
        long sincePoll = System.nanoTime() - lastPollNanos;
        if (lanes.notStarted() >= config.concurrency() && sincePoll < MAX_POLL_GAP_NANOS && !closeRequested) {
            // Enough fetched jobs wait to start: what lets the loop go on is a finished job, not more records. Each
            // consumer.poll() costs a wake-up of the consumer's network thread, so wait for a hand-back instead, but
            // poll at least every MAX_POLL_GAP (rebalance callbacks run inside poll).
            awaitCompletion(MAX_POLL_GAP_NANOS - sincePoll);
            return;
        }
        if (!paused.isEmpty() && lastPollEmpty && !closeRequested) {
            // While a partition is paused, poll() does not wait (see poll()): wait here for a finished job instead,
            // which is what resumes a paused partition — up to MAX_POLL_GAP when every partition is paused; when some
            // are not (they may have new records), briefly at first and twice as long after each empty poll, up to
            // MAX_POLL_GAP: a partition paused behind a long job otherwise woke this thread 500 times a second (4 % of
            // a core, PausedPollCpuMeasurement), for records that mostly were not there.
            long gap = paused.size() >= progress.size() ? MAX_POLL_GAP_NANOS : pausedPollGapNanos;
            if (gap - sincePoll > 0) {
                lastPollEmpty = false;
                awaitCompletion(gap - sincePoll);
                return;
            }
        }
        lastPollNanos = System.nanoTime();
        poll();
    }

    private void awaitCompletion(long nanos) {
        try {
            Completion completion = completions.poll(nanos, TimeUnit.NANOSECONDS);
            if (completion != null) {
                apply(completion);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyCompletions() {
        // one lock round for everything handed back since the last turn
        completions.drainTo(drained);
        for (Completion completion : drained) {
            apply(completion);
        }
        drained.clear();
    }

    private void apply(Completion completion) {
        Work work = completion.work();
        if (completion.outcome() instanceof Outcome.HandlerExited) {
            lanes.release(work); // a timed-out handler really returned: the next job of its key may start
            return;
        }
        if (completion.outcome() instanceof Outcome.Released) {
            // the handler is done; its outcome follows once its event is acknowledged
            inFlight--;
            awaitingAck++;
            lanes.release(work);
            return;
        }
        if (completion.released()) {
            awaitingAck--;
        } else {
            inFlight--;
            if (!completion.laneHeld()) {
                lanes.release(work);
            }
        }
        metrics.inFlight().decrementAndGet();
        work.progress().ended();
        if (completion.outcome().finished() && progress.get(work.partition()) == work.progress()) {
            work.progress().finish(work.offset());
        }
    }

    private void startReady() {
        if (inFlight < config.concurrency() && lanes.notStarted() > 0 && heartbeatSilence.holds()) {
            // cut off from the group coordinator: it may have given these partitions to another worker already
            return;
        }
        while (inFlight < config.concurrency() && !closing) {
            Work work = lanes.nextReady();
            if (work == null) {
                return;
            }
            if (progress.get(work.partition()) != work.progress()) {
                continue; // its partition was revoked after it was fetched
            }
            inFlight++;
            metrics.inFlight().incrementAndGet();
            work.progress().started();
            runner.start(work, this::complete);
        }
    }

    private void applyBackpressure() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        int bound = config.maxPendingPerPartition();
        int total = 0;
        for (Map.Entry<TopicPartition, PartitionProgress> entry : progress.entrySet()) {
            int pending = entry.getValue().tracked();
            total += pending;
            boolean isPaused = paused.contains(entry.getKey());
            if (!isPaused && pending >= bound) {
                pause.add(entry.getKey());
            } else if (isPaused && pending <= bound / 2) {
                resume.add(entry.getKey());
            }
        }
        metrics.pending().set(total);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
            paused.addAll(pause);
            LOG.debug("partitions_paused partitions={}", pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
            resume.forEach(paused::remove);
            LOG.debug("partitions_resumed partitions={}", resume);
        }
    }

    private void poll() {
        ConsumerRecords<byte[], byte[]> records;
        boolean park;
        synchronized (wakeLock) {
            parked = true; // before reading the queue: see wake()
            park = completions.isEmpty() && !closeRequested;
            parked = park;
        }
        // Kafka 4.3.1's KIP-848 consumer does not wait in poll(timeout) while a paused partition still has fetched
        // records buffered: it loops until the timeout, which under backpressure kept a core busy (measured: 80 % of a
        // core on this thread plus 35 % in the consumer's background thread). With a partition paused, poll without
        // waiting; turn() then waits for a finished job.
        Duration timeout = park && paused.isEmpty() ? POLL_TIMEOUT : Duration.ZERO;
        heartbeatSilence.beforePoll();
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
        } finally {
            heartbeatSilence.afterPoll();
            synchronized (wakeLock) {
                parked = false;
            }
        }
        lastPollEmpty = records.isEmpty();
        pausedPollGapNanos =
                lastPollEmpty ? Math.min(2 * pausedPollGapNanos, MAX_POLL_GAP_NANOS) : PAUSED_POLL_GAP_NANOS;
        for (TopicPartition partition : records.partitions()) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress == null) {
                continue; // not ours (any more); another worker fetches it from the committed offset
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!partitionProgress.isNew(record.offset())) {
                    continue; // fetched again after a seek: already handed out in this assignment
                }
                partitionProgress.handOut(record.offset());
                lanes.offer(new Work(record, partition, partitionProgress));
            }
        }
        // The position can be past the last record returned (transaction markers, aborted records): commit it once
        // the jobs before it finished, so the committed offset reaches the log end.
        records.nextOffsets().forEach((partition, next) -> {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null) {
                partitionProgress.advancedTo(next.offset());
            }
        });
    }

    private Map<TopicPartition, OffsetAndMetadata> finishedOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress == null) {
                continue;
            }
            OptionalLong next = partitionProgress.toCommit();
            if (next.isPresent()) {
                offsets.put(partition, new OffsetAndMetadata(next.getAsLong()));
            }
        }
        return offsets;
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = finishedOffsets(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, PartitionProgress> owners = new HashMap<>();
        offsets.keySet().forEach(tp -> owners.put(tp, progress.get(tp)));
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                LOG.warn("commit_failed offsets={} error={}", offsets, error.toString());
                return;
            }
            committed.forEach((tp, offset) -> owners.get(tp).committed(offset.offset()));
        });
    }

    private void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = finishedOffsets(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                consumer.commitSync(offsets, COMMIT_TIMEOUT);
                offsets.forEach((tp, offset) -> progress.get(tp).committed(offset.offset()));
                LOG.debug("committed offsets={}", offsets);
                return;
            } catch (WakeupException e) {
                // a stale wake-up from a handler thread; try again
            } catch (KafkaException e) {
                LOG.warn("commit_failed offsets={} error={}", offsets, e.toString());
                return;
            }
        }
    }

    private void updateLag() {
        for (TopicPartition partition : progress.keySet()) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent()) {
                metrics.lag(partition, lag.getAsLong());
            }
        }
    }

    /** Waits for running jobs of {@code partitions} (all when null) until {@code deadlineMillis}. */
    private void awaitRunning(Collection<TopicPartition> partitions, long deadlineMillis) {
        while (running(partitions) > 0) {
            long left = deadlineMillis - clock.millis();
            if (left <= 0) {
                return;
            }
            try {
                Completion completion = completions.poll(Math.min(left, 100), TimeUnit.MILLISECONDS);
                if (completion != null) {
                    apply(completion);
                    applyCompletions();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int running(Collection<TopicPartition> partitions) {
        if (partitions == null) {
            return inFlight + awaitingAck;
        }
        int running = 0;
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null) {
                running += partitionProgress.running();
            }
        }
        return running;
    }

    private void shutDown() {
        closing = true;
        long deadline = closeDeadlineMillis;
        Set<TopicPartition> owned = new HashSet<>(progress.keySet());
        try {
            if (!owned.isEmpty()) {
                consumer.pause(owned);
            }
        } catch (RuntimeException e) {
            LOG.debug("pause_on_close_failed error={}", e.toString());
        }
        int dropped = 0;
        for (TopicPartition partition : owned) {
            dropped += lanes.dropPartition(partition);
        }
        awaitRunning(null, deadline);
        int left = inFlight + awaitingAck;
        if (left > 0) {
            LOG.warn(
                    "processor_close_abandoning queue={} running_jobs={} (their offsets are not committed)",
                    config.queue(),
                    left);
            runner.abandon();
            applyCompletions();
        }
        try {
            commitSync(owned);
        } catch (RuntimeException e) {
            LOG.warn("commit_on_close_failed error={}", e.toString());
        }
        try {
            consumer.close(CloseOptions.timeout(Duration.ofMillis(Math.max(1_000, deadline - clock.millis()))));
        } catch (RuntimeException e) {
            LOG.warn("consumer_close_failed error={}", e.toString());
        }
        owned.forEach(metrics::partitionRevoked);
        LOG.info(
                "processor_closed queue={} dropped_not_started={} abandoned_running={}", config.queue(), dropped, left);
    }

    private void revoked(Collection<TopicPartition> partitions, boolean commit) {
        synchronized (wakeLock) {
            parked = false;
        }
        Set<TopicPartition> ours = new HashSet<>(partitions);
        ours.retainAll(progress.keySet());
        if (ours.isEmpty()) {
            return;
        }
        int dropped = 0;
        for (TopicPartition partition : ours) {
            dropped += lanes.dropPartition(partition);
            paused.remove(partition);
        }
        if (commit) {
            if (!closing) {
                awaitRunning(ours, clock.millis() + config.revokeTimeout().toMillis());
            }
            commitSync(ours);
        }
        int stillRunning = running(ours);
        for (TopicPartition partition : ours) {
            // from here on the partition's jobs still running write nothing: another worker runs them again
            progress.remove(partition).writes().close(WRITE_GATE_TIMEOUT);
            metrics.partitionRevoked(partition);
        }
        LOG.info(
                "partitions_{} partitions={} dropped_not_started={} still_running={}",
                commit ? "revoked" : "lost",
                ours,
                dropped,
                stillRunning);
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                if (!progress.containsKey(partition)) {
                    progress.put(partition, new PartitionProgress());
                    metrics.partitionAssigned(partition);
                }
            }
            if (!partitions.isEmpty()) {
                LOG.info("partitions_assigned partitions={}", partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked(partitions, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            revoked(partitions, false);
        }
    }
}
