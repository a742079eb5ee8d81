package io.jobstream.dlq.alert;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.alert.internal.SinkOutbox;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns dead letters and consumer-lag status changes into few alerts.
 *
 * <p><b>Dead letters</b>: per {@link AlertKey} (queue, type, reason, error class), the first dead letter of a quiet
 * key is announced at once ({@link Alert.Kind#FIRST}); the ones after it are counted over a window
 * ({@link AlertConfig#window()}, default 60 s, starting at the first of them) into one {@link Alert.Kind#AGGREGATED}
 * message; when a firing key sees none for the quiet period (default 5 min), a {@link Alert.Kind#RECOVERED} message
 * is sent and the key is quiet again.
 *
 * <p><b>Lag status changes</b> ({@link #onStatusChange}, a {@link LagListener}): a group's change is announced at once
 * as a {@link LagAlert} when the group had no lag alert within {@link AlertConfig#lagMinInterval()}; otherwise it is
 * held, and when the interval since the group's last alert ends, the latest status held is announced (as a change
 * from the last announced status, with the number of changes it stands for), so a flapping group gets at most one
 * alert per interval. A held status equal to the last announced one (the group flapped back) is announced to no one.
 * A recovery to {@link LagStatus#OK} is never dropped: it is sent at once, or when the interval ends unless the group
 * has turned bad again by then (that newer status is sent instead).
 *
 * <p>Every sink has its own bounded outbox drained by its own virtual thread, rate limited (token bucket), honouring
 * {@code Retry-After} and retrying 5xx/I/O errors with backoff, so a slow or dead sink never blocks {@link
 * #onDeadLetter}; an unsent alert is kept until sent or {@link AlertConfig#maxAge()} old. Meters per sink (tag
 * {@code sink}): {@code jobstream.alerts.sent}, {@code .suppressed} (dead letters reported only inside an aggregate),
 * {@code .pending} (gauge), {@code .expired}, {@code .dropped}, {@code .failed} (permanent HTTP errors), {@code
 * .coalesced} (lag status changes announced only inside a later alert, or not at all because the group flapped back).
 *
 * <p>Threading: {@link #onDeadLetter}, {@link #onStatusChange} and {@link #tick()} may be called from any thread.
 * {@link #start()} runs a ticker and the drainers on virtual threads; without it (tests), call {@link #tick()} and
 * {@link #drainOnce()} yourself. All time comes from the injected {@link Clock}.
 */
public final class AlertAggregator implements LagListener, AutoCloseable {

    private final AlertConfig config;
    private final Clock clock;
    private final List<SinkOutbox> outboxes = new ArrayList<>();
    private final List<Counter> suppressed = new ArrayList<>();
    private final List<Counter> coalesced = new ArrayList<>();
    private final Map<AlertKey, KeyState> keys = new HashMap<>();
    private final Map<String, GroupState> groups = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object tickSignal = new Object();
    private volatile boolean running;

    private static final class KeyState {
        private Instant lastSeen;
        private Window window;
    }

    /** What was last announced about a consumer group, and the change held back since. */
    private static final class GroupState {
        private LagStatus announced;
        private Instant announcedAt;
        private LagListener.Change held;
        private int heldChanges;

        private GroupState(LagStatus announced) {
            this.announced = announced;
        }
    }

    private static final class Window {
        private final Instant start;
        private final String firstJobId;
        private String lastJobId;
        private String errorMessage;
        private Instant last;
        private long count;

        private Window(Instant start, String firstJobId) {
            this.start = start;
            this.firstJobId = firstJobId;
        }
    }

    private AlertAggregator(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        for (AlertSink sink : b.sinks) {
            outboxes.add(new SinkOutbox(
                    sink,
                    clock,
                    b.registry,
                    config.maxPending(),
                    config.maxAge(),
                    config.ratePerSecond(),
                    config.burst()));
            suppressed.add(
                    DlqMeters.ALERTS_SUPPRESSED.counter("sink", sink.name()).register(b.registry));
            coalesced.add(
                    DlqMeters.ALERTS_COALESCED.counter("sink", sink.name()).register(b.registry));
        }
    }

    /** A builder for an aggregator with {@code config}'s timing; add sinks with {@link Builder#sink(AlertSink)}. */
    public static Builder builder(AlertConfig config) {
        return new Builder(config);
    }

    /**
     * Counts one dead letter.
     *
     * @param key what it is aggregated by
     * @param jobId the dead job's id ({@code unknown} without a job)
     * @param errorMessage the last failure's message
     */
    public void onDeadLetter(AlertKey key, String jobId, String errorMessage) {
        Objects.requireNonNull(key, "key");
        Instant now = clock.instant();
        synchronized (this) {
            Alert first = null;
            KeyState state = keys.get(key);
            if (state == null) {
                state = new KeyState();
                keys.put(key, state);
                first = new Alert(Alert.Kind.FIRST, key, errorMessage, 1, jobId, jobId, now, now);
            } else {
                if (state.window == null) {
                    state.window = new Window(now, jobId);
                }
                Window w = state.window;
                w.count++;
                w.lastJobId = jobId;
                w.errorMessage = errorMessage;
                w.last = now;
                suppressed.forEach(Counter::increment);
            }
            state.lastSeen = now;
            if (first != null) {
                emit(first); // under the lock, so a key's alerts reach every outbox in decision order
            }
        }
    }

    /**
     * Alerts a consumer group's lag status change through every sink, unless lag alerts are off ({@link
     * AlertConfig#lagAlerts()}); within the group's minimum interval the change is held and coalesced (see the class
     * comment). Returns at once.
     */
    @Override
    public void onStatusChange(LagListener.Change change) {
        Objects.requireNonNull(change, "change");
        if (!config.lagAlerts()) {
            return;
        }
        Instant now = clock.instant();
        synchronized (this) {
            GroupState state = groups.computeIfAbsent(change.group(), g -> new GroupState(change.previous()));
            if (state.held != null) {
                coalesced.forEach(Counter::increment); // the held change gives way to this later one
            }
            state.held = change;
            state.heldChanges++;
            if (intervalOver(state, now)) {
                release(state, now);
            }
        }
    }

    private boolean intervalOver(GroupState state, Instant now) {
        return state.announcedAt == null || !now.isBefore(state.announcedAt.plus(config.lagMinInterval()));
    }

    /** Announces the group's held change, unless it leads back to the status last announced. Under the lock. */
    private void release(GroupState state, Instant now) {
        LagListener.Change change = state.held;
        int changes = state.heldChanges;
        state.held = null;
        state.heldChanges = 0;
        if (change.current() == state.announced) {
            coalesced.forEach(Counter::increment); // flapped back: nothing to tell
            return;
        }
        emit(LagAlert.of(change, state.announced, changes));
        state.announced = change.current();
        state.announcedAt = now;
    }

    /** Sends the windows that are over, the recoveries that are due and the lag changes held past their interval. */
    public void tick() {
        Instant now = clock.instant();
        List<Alert> due = new ArrayList<>();
        synchronized (this) {
            Iterator<GroupState> groupStates = groups.values().iterator();
            while (groupStates.hasNext()) {
                GroupState state = groupStates.next();
                if (!intervalOver(state, now)) {
                    continue;
                }
                if (state.held != null) {
                    release(state, now);
                } else if (state.announced == LagStatus.OK) {
                    groupStates.remove(); // healthy and quiet: forget it
                }
            }
            Iterator<Map.Entry<AlertKey, KeyState>> it = keys.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<AlertKey, KeyState> entry = it.next();
                KeyState state = entry.getValue();
                Window w = state.window;
                if (w != null && !now.isBefore(w.start.plus(config.window()))) {
                    due.add(new Alert(
                            Alert.Kind.AGGREGATED,
                            entry.getKey(),
                            w.errorMessage,
                            w.count,
                            w.firstJobId,
                            w.lastJobId,
                            w.start,
                            w.last));
                    state.window = null;
                }
                if (state.window == null && !now.isBefore(state.lastSeen.plus(config.quietPeriod()))) {
                    due.add(new Alert(Alert.Kind.RECOVERED, entry.getKey(), "", 0, "", "", state.lastSeen, now));
                    it.remove();
                }
            }
            due.forEach(this::emit);
        }
    }

    /** Lets every sink send what it may now (for callers that did not {@link #start()}). */
    public void drainOnce() {
        outboxes.forEach(SinkOutbox::drainOnce);
    }

    /** Alerts waiting for the sink named {@code sink}; 0 for an unknown sink. */
    public int pending(String sink) {
        return outboxes.stream()
                .filter(o -> o.name().equals(sink))
                .mapToInt(SinkOutbox::size)
                .sum();
    }

    /** Starts the ticker and one drainer per sink, on virtual threads. */
    public synchronized AlertAggregator start() {
        if (running || !threads.isEmpty()) {
            throw new IllegalStateException("the alert aggregator is already started");
        }
        running = true;
        for (SinkOutbox outbox : outboxes) {
            threads.add(Thread.ofVirtual()
                    .name("jobstream-alerts-" + outbox.name())
                    .start(() -> outbox.run(() -> running)));
        }
        threads.add(Thread.ofVirtual().name("jobstream-alerts-ticker").start(this::runTicker));
        return this;
    }

    private void runTicker() {
        long period = Math.clamp(config.window().toMillis() / 10, 50, 1_000);
        while (running) {
            tick();
            synchronized (tickSignal) {
                try {
                    if (running) {
                        tickSignal.wait(period);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void emit(Notification alert) {
        for (SinkOutbox outbox : outboxes) {
            outbox.offer(alert);
        }
    }

    /**
     * Stops the threads, waiting up to {@code timeout}; unsent alerts are given up (a sink being down at shutdown
     * loses them; see the README).
     *
     * @return whether every thread stopped in time
     */
    public boolean close(Duration timeout) {
        List<Thread> toJoin;
        synchronized (this) {
            running = false;
            toJoin = List.copyOf(threads);
        }
        outboxes.forEach(SinkOutbox::wake);
        synchronized (tickSignal) {
            tickSignal.notifyAll();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean stopped = true;
        for (Thread t : toJoin) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                stopped &= t.join(Duration.ofMillis(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return stopped;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Builds an {@link AlertAggregator}. */
    public static final class Builder {
        private final AlertConfig config;
        private final List<AlertSink> sinks = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private MeterRegistry registry = new SimpleMeterRegistry();

        private Builder(AlertConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Adds a sink; sink names must be unique. */
        public Builder sink(AlertSink sink) {
            Objects.requireNonNull(sink, "sink");
            if (sinks.stream().anyMatch(s -> s.name().equals(sink.name()))) {
                throw new IllegalArgumentException("two alert sinks are named " + sink.name());
            }
            sinks.add(sink);
            return this;
        }

        /** Adds every sink of {@code more}. */
        public Builder sinks(List<AlertSink> more) {
            more.forEach(this::sink);
            return this;
        }

        /** The time source (default: the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where meters go (default: a private {@link SimpleMeterRegistry}). */
        public Builder registry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The aggregator, not yet started. */
        public AlertAggregator build() {
            return new AlertAggregator(this);
        }
    }
}
