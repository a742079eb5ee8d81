package io.jobstream.dlq.lag;

import io.jobstream.dlq.lag.internal.LagMeters;
import io.jobstream.dlq.lag.internal.LagWindow;
import io.jobstream.dlq.lag.internal.OldestWaitingRecords;
import io.jobstream.dlq.lag.internal.OldestWaitingRecords.Lagging;
import io.jobstream.dlq.lag.internal.StatusEvaluator;
import io.jobstream.dlq.lag.internal.TimeLagEstimator;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.LagSampler;
import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the consumer groups of interest through the Admin client, every {@link LagMonitorConfig#interval()} on one
 * scheduled thread ({@code jobstream-lag-monitor}) once {@link #start() started}, or on demand with {@link
 * #sampleNow()}. Each sample lists the consumer groups (classic and KIP-848 consumer groups), keeps those matching
 * {@link LagMonitorConfig#groupPattern()}, adds {@link LagMonitorConfig#groups()} (listed or not), reads their
 * offset lags with the runtime's {@link LagSampler} (committed offsets, and the end offsets of those partitions as a
 * {@code read_committed} consumer sees them, so a group whose consumers committed past the last transaction marker
 * has lag 0) and the groups' members; then judges each partition's status over its sliding window,
 * takes its time lag, updates the gauges and tells the {@link LagListener}s about group status changes.
 *
 * <p>Time lag is the age of the oldest waiting record: a monitor {@link #create(LagMonitorConfig, Admin,
 * KafkaSettings, MeterRegistry, Clock) created with Kafka settings} reads the timestamp of the record at each lagging
 * partition's committed offset ({@code read_committed}, one fetch per partition and committed offset), {@link
 * TimeLagSource#RECORD}; where that record cannot be read within the request timeout, and in a monitor created
 * without Kafka settings, the time lag is interpolated from the log-end offsets seen over time, {@link
 * TimeLagSource#ESTIMATE}.
 *
 * <pre>{@code
 * LagMonitor monitor = LagMonitor.create(LagMonitorConfig.from(config), admin, registry, Clock.systemUTC());
 * monitor.addListener(change -> alerts.send(change));
 * monitor.start();
 * ...
 * System.out.print(monitor.snapshot().orElseThrow().toTable());
 * monitor.close();
 * }</pre>
 *
 * <p>Thread-safe: samples (scheduled or {@link #sampleNow()}) run one at a time. The Admin client belongs to the
 * caller and is not closed by {@link #close()}. Failure contract: an Admin request that fails or times out makes
 * the affected groups {@link LagStatus#ERR} in that sample (the monitor keeps sampling); a listener's exception is
 * logged and ignored.
 */
public final class LagMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagMonitor.class);

    /** The name of the sampling thread. */
    public static final String THREAD_NAME = "jobstream-lag-monitor";

    private record Key(String group, TopicPartition partition) {}

    private final LagMonitorConfig config;
    private final Admin admin;
    private final Clock clock;
    private final LagMeters meters;
    private final OldestWaitingRecords oldestRecords; // null: estimates only
    private final List<LagListener> listeners = new CopyOnWriteArrayList<>();
    private final Object sampling = new Object();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong failedSamples = new AtomicLong();
    private final ScheduledExecutorService scheduler;
    private final LagSampler sampler;

    // Owned under `sampling`.
    private final Map<Key, LagWindow> windows = new HashMap<>();
    private final Map<TopicPartition, TimeLagEstimator> endTables = new HashMap<>();
    private final Map<String, LagStatus> groupStatuses = new HashMap<>();
    private final Map<String, GroupLag> lastRead = new HashMap<>();

    private volatile LagSnapshot latest;

    private LagMonitor(
            LagMonitorConfig config,
            Admin admin,
            OldestWaitingRecords oldestRecords,
            MeterRegistry registry,
            Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.oldestRecords = oldestRecords;
        this.admin = Objects.requireNonNull(admin, "admin");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sampler = new LagSampler(admin, config.requestTimeout());
        this.meters = new LagMeters(Objects.requireNonNull(registry, "registry"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A monitor, not sampling yet, whose time lags are {@link TimeLagSource#ESTIMATE estimates} only.
     *
     * @param config its settings
     * @param admin the Admin client it reads the cluster with (not closed by the monitor)
     * @param registry where the gauges go
     * @param clock the time samples are stamped with
     */
    public static LagMonitor create(LagMonitorConfig config, Admin admin, MeterRegistry registry, Clock clock) {
        return new LagMonitor(config, admin, null, registry, clock);
    }

    /**
     * A monitor, not sampling yet, whose time lags are the oldest waiting records' ages ({@link TimeLagSource#RECORD}),
     * read with a {@code read_committed} consumer of its own (closed by {@link #close()}), falling back to estimates.
     *
     * @param config its settings
     * @param admin the Admin client it reads the cluster with (not closed by the monitor)
     * @param kafka the settings its consumer connects with
     * @param registry where the gauges go
     * @param clock the time samples are stamped with
     */
    public static LagMonitor create(
            LagMonitorConfig config, Admin admin, KafkaSettings kafka, MeterRegistry registry, Clock clock) {
        return new LagMonitor(config, admin, OldestWaitingRecords.create(kafka, clock), registry, clock);
    }

    /** Starts sampling now and then every interval; idempotent. */
    public LagMonitor start() {
        if (closed.get()) {
            throw new IllegalStateException("the lag monitor is closed");
        }
        if (started.compareAndSet(false, true)) {
            long interval = config.interval().toMillis();
            scheduler.scheduleAtFixedRate(this::scheduledSample, 0, interval, TimeUnit.MILLISECONDS);
            log.info(
                    "lag monitor started interval={} window={} groupPattern={} groups={}",
                    config.interval(),
                    config.window(),
                    config.groupPattern(),
                    config.groups());
        }
        return this;
    }

    /** Registers a listener for group status changes. */
    public void addListener(LagListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The latest sample's snapshot; empty before the first sample. */
    public Optional<LagSnapshot> snapshot() {
        return Optional.ofNullable(latest);
    }

    /** Takes a sample now (on the calling thread, after any sample in progress) and returns it. */
    public LagSnapshot sampleNow() {
        if (closed.get()) {
            throw new IllegalStateException("the lag monitor is closed");
        }
        synchronized (sampling) {
            return sample();
        }
    }

    /** Stops sampling and removes the gauges; idempotent. Does not close the Admin client. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(config.requestTimeout().toMillis() * 4, TimeUnit.MILLISECONDS)) {
                log.warn("lag monitor thread did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (sampling) {
            meters.close();
            if (oldestRecords != null) {
                oldestRecords.close();
            }
        }
    }

    private void scheduledSample() {
        if (closed.get()) {
            return;
        }
        try {
            synchronized (sampling) {
                sample();
            }
        } catch (RuntimeException e) {
            if (failedSamples.incrementAndGet() == 1) {
                log.warn("lag sample failed", e);
            } else {
                log.warn("lag sample failed error={} failures={}", e.toString(), failedSamples.get());
            }
        }
    }

    private LagSnapshot sample() {
        Instant now = clock.instant();
        long timeoutMs = config.requestTimeout().toMillis();
        int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);

        Set<String> groups;
        try {
            groups = new TreeSet<>(config.groups());
            for (GroupListing listing : admin.listGroups(
                            ListGroupsOptions.forConsumerGroups().timeoutMs(timeout))
                    .all()
                    .get(timeoutMs, TimeUnit.MILLISECONDS)) {
                if (config.monitors(listing.groupId())) {
                    groups.add(listing.groupId());
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            return publish(now, failAll("listGroups: " + describe(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return publish(now, failAll("interrupted"));
        }

        // descriptions (members, owners) are read while the sampler reads offsets
        Map<String, KafkaFuture<ConsumerGroupDescription>> descriptions = groups.isEmpty()
                ? Map.of()
                : admin.describeConsumerGroups(groups, new DescribeConsumerGroupsOptions().timeoutMs(timeout))
                        .describedGroups();
        Map<String, GroupLagSample> samples = sampler.sample(groups);
        Instant endsSeenAt = clock.instant(); // when the log ends were read; time lags are measured from here

        Map<String, GroupLagSample.Read> offsets = new LinkedHashMap<>();
        Map<String, ConsumerGroupDescription> described = new HashMap<>();
        Map<String, String> errors = new HashMap<>();
        for (String group : groups) {
            if (samples.get(group) instanceof GroupLagSample.Failed failed) {
                errors.put(group, failed.error());
                continue;
            }
            try {
                described.put(group, descriptions.get(group).get(timeoutMs, TimeUnit.MILLISECONDS));
                offsets.put(group, (GroupLagSample.Read) samples.get(group));
            } catch (ExecutionException | TimeoutException e) {
                errors.put(group, describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.put(group, "interrupted");
            }
        }
        samples.values().forEach(sample -> {
            if (sample instanceof GroupLagSample.Read read) {
                read.partitions().forEach(p -> endTables
                        .computeIfAbsent(p.partition(), tp -> new TimeLagEstimator(config.timeSamples()))
                        .record(p.end(), endsSeenAt));
            }
        });
        Map<Lagging, Optional<Instant>> oldest = oldestWaiting(offsets.values());

        List<GroupLag> out = new ArrayList<>();
        Set<Key> live = new HashSet<>();
        for (String group : groups) {
            String error = errors.get(group);
            if (error != null) {
                out.add(failed(group, error));
                windows.keySet().stream().filter(k -> k.group().equals(group)).forEach(live::add);
                continue;
            }
            out.add(read(offsets.get(group), described.get(group), oldest, now, endsSeenAt, live));
        }
        windows.keySet().retainAll(live);
        Set<TopicPartition> livePartitions = new HashSet<>();
        live.forEach(k -> livePartitions.add(k.partition()));
        endTables.keySet().retainAll(livePartitions);
        lastRead.keySet().retainAll(groups);
        return publish(now, out);
    }

    /** The oldest waiting record's time of every lagging partition of the groups read (empty without a reader). */
    private Map<Lagging, Optional<Instant>> oldestWaiting(Collection<GroupLagSample.Read> groups) {
        if (oldestRecords == null) {
            return Map.of();
        }
        Set<Lagging> lagging = new HashSet<>();
        for (GroupLagSample.Read group : groups) {
            for (LagSampler.PartitionLag p : group.partitions()) {
                long offset = p.committed().orElseThrow();
                if (p.end() > offset) {
                    lagging.add(new Lagging(p.partition(), offset, p.end()));
                }
            }
        }
        return oldestRecords.read(lagging, config.requestTimeout());
    }

    private GroupLag read(
            GroupLagSample.Read sample,
            ConsumerGroupDescription description,
            Map<Lagging, Optional<Instant>> oldest,
            Instant now,
            Instant endsSeenAt,
            Set<Key> live) {
        String group = sample.group();
        Map<TopicPartition, String> owners = new HashMap<>();
        for (MemberDescription member : description.members()) {
            for (TopicPartition tp : member.assignment().topicPartitions()) {
                owners.put(tp, member.clientId());
            }
        }
        List<PartitionLag> partitions = new ArrayList<>();
        LagStatus status = LagStatus.OK;
        // ordered by topic and partition; a partition whose topic is gone is not there (its committed offset expires)
        for (LagSampler.PartitionLag sampled : sample.partitions()) {
            TopicPartition tp = sampled.partition();
            long end = sampled.end();
            long offset = sampled.committed().orElseThrow();
            Key key = new Key(group, tp);
            live.add(key);
            Optional<String> owner = Optional.ofNullable(owners.get(tp));
            LagWindow window = windows.computeIfAbsent(key, k -> new LagWindow(config.window()));
            window.add(new LagWindow.Sample(now, offset, end, owner.isPresent()));
            LagStatus partitionStatus = StatusEvaluator.evaluate(window.samples(), config.window());
            long lag = sampled.lag();
            // lag 0: nothing waits; else the oldest waiting record's age if it was read, else the estimate
            Lagging lagging = new Lagging(tp, offset, end);
            TimeLagSource source;
            Duration timeLag;
            boolean lowerBound = false;
            if (lag == 0 || oldest.containsKey(lagging)) {
                source = TimeLagSource.RECORD;
                timeLag = oldest.getOrDefault(lagging, Optional.empty())
                        .map(writtenAt -> Duration.between(writtenAt, endsSeenAt))
                        .filter(age -> !age.isNegative())
                        .orElse(Duration.ZERO);
            } else {
                source = TimeLagSource.ESTIMATE;
                TimeLagEstimator.Estimate estimate = endTables.get(tp).estimate(offset, endsSeenAt);
                timeLag = estimate.lag();
                lowerBound = estimate.lowerBound();
            }
            partitions.add(new PartitionLag(
                    group,
                    tp.topic(),
                    tp.partition(),
                    offset,
                    end,
                    lag,
                    timeLag,
                    lowerBound,
                    partitionStatus,
                    owner,
                    source));
            status = status.worst(partitionStatus);
        }
        GroupLag lagOfGroup = new GroupLag(
                group,
                description.groupState().name(),
                description.members().size(),
                status,
                Optional.empty(),
                partitions);
        lastRead.put(group, lagOfGroup);
        return lagOfGroup;
    }

    private GroupLag failed(String group, String error) {
        GroupLag last = lastRead.get(group);
        return new GroupLag(
                group, "UNKNOWN", last == null ? 0 : last.members(), LagStatus.ERR, Optional.of(error), List.of());
    }

    private List<GroupLag> failAll(String error) {
        Set<String> known = new TreeSet<>(groupStatuses.keySet());
        List<GroupLag> out = new ArrayList<>();
        for (String group : known) {
            out.add(failed(group, error));
        }
        return out;
    }

    private LagSnapshot publish(Instant now, List<GroupLag> groups) {
        LagSnapshot snapshot = new LagSnapshot(now, groups);
        if (closed.get()) {
            return snapshot; // a sample cut short by close(): no gauges, no listeners
        }
        meters.update(snapshot);
        latest = snapshot;
        Set<String> present = new HashSet<>();
        for (GroupLag group : groups) {
            present.add(group.group());
            LagStatus previous = groupStatuses.getOrDefault(group.group(), LagStatus.OK);
            groupStatuses.put(group.group(), group.status());
            if (previous != group.status()) {
                log.info(
                        "lag status changed group={} from={} to={} lag={}",
                        group.group(),
                        previous,
                        group.status(),
                        group.totalLag());
                notifyListeners(new LagListener.Change(group.group(), previous, group.status(), now, group));
            }
        }
        groupStatuses.keySet().retainAll(present);
        return snapshot;
    }

    private void notifyListeners(LagListener.Change change) {
        for (LagListener listener : listeners) {
            try {
                listener.onStatusChange(change);
            } catch (RuntimeException e) {
                log.warn("lag listener failed group={} listener={}", change.group(), listener, e);
            }
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
