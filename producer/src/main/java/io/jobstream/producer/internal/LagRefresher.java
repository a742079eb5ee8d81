package io.jobstream.producer.internal;

import io.jobstream.runtime.LagSampler;
import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.jobstream.schemas.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the {@link LeastLoaded} snapshots on one daemon thread ({@code jobstream-publisher-lag}) every interval:
 * for each registered queue, the lag of group {@code <queue>.workers} on each partition, read with the runtime's
 * {@link LagSampler} (the {@code read_committed} end offset minus the committed offset, or minus the log start offset
 * where nothing is committed). A failed refresh (or one that did not read every partition) keeps the previous
 * snapshot and is logged (the first with its stack trace, later ones counted).
 */
public final class LagRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagRefresher.class);

    private final LagSampler sampler;
    private final LeastLoaded leastLoaded;
    private final TopicDirectory topics;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong failures = new AtomicLong();

    /** Starts refreshing every {@code interval}; each refresh waits at most {@code timeout} per call. */
    public LagRefresher(
            Admin admin, LeastLoaded leastLoaded, TopicDirectory topics, Duration interval, Duration timeout) {
        this.sampler = new LagSampler(admin, timeout);
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
        List<TopicPartition> asked = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            asked.add(new TopicPartition(queue, p));
        }
        GroupLagSample sample = sampler.sample(Names.workerGroup(queue), asked);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        if (sample instanceof GroupLagSample.Failed failed) {
            throw new IllegalStateException(failed.error());
        }
        long[] lag = new long[partitions];
        int read = 0;
        for (LagSampler.PartitionLag partition : ((GroupLagSample.Read) sample).partitions()) {
            lag[partition.partition().partition()] = partition.lag();
            read++;
        }
        if (read != partitions) {
            throw new IllegalStateException("lag of " + read + " of " + partitions + " partitions read");
        }
        leastLoaded.update(queue, lag);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
