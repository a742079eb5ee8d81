package io.jobstream.producer.internal;

import io.jobstream.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the {@link LeastLoaded} snapshots on one daemon thread ({@code jobstream-publisher-lag}) every interval:
 * for each registered queue, the committed offsets of group {@code <queue>.workers} and the earliest and latest
 * ({@code read_committed}) offset of each partition; lag is latest minus committed, or latest minus earliest where nothing is committed. A failed
 * refresh keeps the previous snapshot and is logged (the first with its stack trace, later ones counted).
 */
public final class LagRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagRefresher.class);

    private final Admin admin;
    private final LeastLoaded leastLoaded;
    private final TopicDirectory topics;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong failures = new AtomicLong();

    /** Starts refreshing every {@code interval}; each refresh waits at most {@code timeout} per call. */
    public LagRefresher(
            Admin admin, LeastLoaded leastLoaded, TopicDirectory topics, Duration interval, Duration timeout) {
        this.admin = admin;
        this.leastLoaded = leastLoaded;
        this.topics = topics;
        this.timeout = timeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "jobstream-publisher-lag");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::refreshAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Refreshes every registered queue now (also called by the schedule). */
    public void refreshAll() {
        for (String queue : leastLoaded.queues()) {
            try {
                refresh(queue);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                long count = failures.incrementAndGet();
                if (count == 1) {
                    LOG.warn("lag-refresh outcome=failed queue={} (keeping the previous snapshot)", queue, e);
                } else {
                    LOG.warn("lag-refresh outcome=failed queue={} failures={} error={}", queue, count, e.toString());
                }
            }
        }
    }

    private void refresh(String queue) throws Exception {
        var partitionCount = topics.partitions(queue, timeout);
        if (partitionCount.isEmpty()) {
            return;
        }
        int partitions = partitionCount.getAsInt();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(queue, p), OffsetSpec.latest());
            earliest.put(new TopicPartition(queue, p), OffsetSpec.earliest());
        }
        int timeoutMs = (int) timeout.toMillis();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        Topics.workerGroup(queue), new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs))
                .partitionsToOffsetAndMetadata()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        // read_committed: the last stable offset, which workers (read_committed) commit up to past transaction markers
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(
                        latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(timeoutMs))
                .all()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(
                        earliest, new ListOffsetsOptions().timeoutMs(timeoutMs))
                .all()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        long[] lag = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(queue, p);
            long end = ends.get(tp).offset();
            OffsetAndMetadata done = committed.get(tp);
            long from = done != null ? done.offset() : starts.get(tp).offset();
            lag[p] = Math.max(0, end - from);
        }
        leastLoaded.update(queue, lag);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
