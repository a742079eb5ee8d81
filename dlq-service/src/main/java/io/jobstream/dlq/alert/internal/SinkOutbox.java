package io.jobstream.dlq.alert.internal;

import io.jobstream.dlq.DlqMeters;
import io.jobstream.dlq.alert.Alert;
import io.jobstream.dlq.alert.AlertSink;
import io.jobstream.dlq.alert.AlertSink.Delivery;
import io.jobstream.dlq.alert.Notification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts waiting for one sink, and the one thread that sends them. Bounded: a new dead-letter alert of a key that
 * already has a pending (not yet sent, not in flight) firing alert is merged into it, counts added (lag alerts are
 * never merged here: the aggregator already sends at most one per group per interval); beyond {@code
 * capacity} the oldest pending alert is dropped (counted). An alert pending longer than {@code maxAge} expires
 * (counted). One alert is in flight at a time, the head; the sink's rate limit (token bucket), a 429's {@code
 * Retry-After} (which holds the whole sink) and the retry backoff after 5xx/I/O errors (1 s doubling up to 1 min)
 * decide when.
 *
 * <p>Threading: {@link #offer(Notification)} from any thread; {@link #drainOnce()} from one thread at a time (the drainer
 * thread of {@link #run(java.util.function.BooleanSupplier)}, or a test). The sink is called outside the lock, so
 * offering never waits for a slow sink.
 */
public final class SinkOutbox {
    static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    static final Duration RETRY_MAX = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(SinkOutbox.class);
    private static final long MAX_WAIT_MILLIS = 1_000;

    private final AlertSink sink;
    private final Clock clock;
    private final int capacity;
    private final Duration maxAge;
    private final TokenBucket bucket;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Counter sent;
    private final Counter expired;
    private final Counter dropped;
    private final Counter failed;
    private Instant blockedUntil = Instant.MIN;
    private boolean inFlight;
    private boolean signalled;

    private static final class Pending {
        private Notification alert;
        private final Instant enqueuedAt;
        private int attempts;
        private Instant notBefore = Instant.MIN;

        private Pending(Notification alert, Instant enqueuedAt) {
            this.alert = alert;
            this.enqueuedAt = enqueuedAt;
        }
    }

    public SinkOutbox(
            AlertSink sink,
            Clock clock,
            MeterRegistry registry,
            int capacity,
            Duration maxAge,
            double ratePerSecond,
            int burst) {
        this.sink = sink;
        this.clock = clock;
        this.capacity = capacity;
        this.maxAge = maxAge;
        this.bucket = new TokenBucket(ratePerSecond, burst, clock.instant());
        String name = sink.name();
        this.sent = DlqMeters.ALERTS_SENT.counter("sink", name).register(registry);
        this.expired = DlqMeters.ALERTS_EXPIRED.counter("sink", name).register(registry);
        this.dropped = DlqMeters.ALERTS_DROPPED.counter("sink", name).register(registry);
        this.failed = DlqMeters.ALERTS_FAILED.counter("sink", name).register(registry);
        DlqMeters.ALERTS_PENDING
                .gauge(this, SinkOutbox::size, "sink", name)
                .strongReference(true)
                .register(registry);
    }

    /** The sink's name. */
    public String name() {
        return sink.name();
    }

    /** Alerts waiting (including one in flight). */
    public synchronized int size() {
        return pending.size();
    }

    /**
     * Queues {@code alert}; a firing dead-letter alert is merged into a pending firing alert of the same key. Never
     * blocks on the sink.
     */
    public synchronized void offer(Notification alert) {
        if (alert instanceof Alert deadLetters && deadLetters.kind() != Alert.Kind.RECOVERED) {
            Iterator<Pending> newestFirst = pending.descendingIterator();
            while (newestFirst.hasNext()) {
                Pending p = newestFirst.next();
                if (p.alert instanceof Alert earlier && earlier.key().equals(deadLetters.key())) {
                    boolean isHeadInFlight = inFlight && p == pending.peekFirst();
                    if (earlier.kind() != Alert.Kind.RECOVERED && !isHeadInFlight) {
                        p.alert = earlier.mergedWith(deadLetters);
                        return;
                    }
                    break;
                }
            }
        }
        pending.addLast(new Pending(alert, clock.instant()));
        while (pending.size() > capacity) {
            Pending victim = inFlight ? removeSecond() : pending.pollFirst();
            dropped.increment();
            LOG.warn("alert outbox full sink={} capacity={}; dropped {}", sink.name(), capacity, victim.alert);
        }
        signalled = true;
        notifyAll();
    }

    private Pending removeSecond() {
        Pending head = pending.pollFirst();
        Pending second = pending.pollFirst();
        pending.addFirst(head);
        return second;
    }

    /**
     * Sends every pending alert that may go now, one at a time.
     *
     * @return when there is something to try next, or empty when nothing is pending
     */
    public Optional<Instant> drainOnce() {
        while (true) {
            Pending head;
            synchronized (this) {
                Instant now = clock.instant();
                expire(now);
                head = pending.peekFirst();
                if (head == null) {
                    return Optional.empty();
                }
                if (now.isBefore(blockedUntil)) {
                    return Optional.of(blockedUntil);
                }
                if (now.isBefore(head.notBefore)) {
                    return Optional.of(head.notBefore);
                }
                Optional<Instant> nextToken = bucket.tryTake(now);
                if (nextToken.isPresent()) {
                    return nextToken;
                }
                inFlight = true;
            }
            Delivery delivery;
            try {
                delivery = sink.deliver(head.alert);
            } catch (RuntimeException e) {
                delivery = new Delivery.Failed(true, e.toString());
            }
            synchronized (this) {
                inFlight = false;
                settle(head, delivery, clock.instant());
            }
        }
    }

    private void settle(Pending head, Delivery delivery, Instant now) {
        switch (delivery) {
            case Delivery.Delivered d -> {
                pending.remove(head);
                sent.increment();
            }
            case Delivery.RetryAfter r -> {
                head.attempts++;
                blockedUntil = r.notBefore();
                LOG.info("alert sink throttled sink={} retryAt={}", sink.name(), r.notBefore());
            }
            case Delivery.Failed f
            when f.retryable() -> {
                head.attempts++;
                head.notBefore = now.plus(backoff(head.attempts));
                LOG.warn(
                        "alert delivery failed sink={} attempt={} retryAt={}: {}",
                        sink.name(),
                        head.attempts,
                        head.notBefore,
                        f.reason());
            }
            case Delivery.Failed f -> {
                pending.remove(head);
                failed.increment();
                LOG.error(
                        "alert delivery failed for good sink={}: {}; dropped {}", sink.name(), f.reason(), head.alert);
            }
        }
    }

    static Duration backoff(int attempts) {
        int doublings = Math.min(attempts - 1, 16);
        Duration wait = RETRY_INITIAL.multipliedBy(1L << doublings);
        return wait.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait;
    }

    private void expire(Instant now) {
        Iterator<Pending> it = pending.iterator();
        boolean first = true;
        while (it.hasNext()) {
            Pending p = it.next();
            boolean isHeadInFlight = first && inFlight;
            first = false;
            if (!isHeadInFlight && !now.isBefore(p.enqueuedAt.plus(maxAge))) {
                it.remove();
                expired.increment();
                LOG.warn("alert expired unsent sink={} maxAge={}: {}", sink.name(), maxAge, p.alert);
            }
        }
    }

    /** Drains until {@code running} turns false, waiting (not spinning) for new alerts or the next due time. */
    public void run(java.util.function.BooleanSupplier running) {
        while (running.getAsBoolean()) {
            Optional<Instant> next = drainOnce();
            synchronized (this) {
                long millis = next.map(
                                at -> Duration.between(clock.instant(), at).toMillis())
                        .orElse(MAX_WAIT_MILLIS);
                millis = Math.clamp(millis, 1, MAX_WAIT_MILLIS);
                if (!signalled && running.getAsBoolean()) {
                    try {
                        wait(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                signalled = false;
            }
        }
    }

    /** Wakes the drainer (e.g. to see that it should stop). */
    public synchronized void wake() {
        signalled = true;
        notifyAll();
    }
}
