package io.jobstream.coordination.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renews leases every third of their duration. One daemon thread schedules; each renewal runs on its own virtual
 * thread, so a slow store delays no other lease. Daemon threads only: when the JVM ends, renewals end and the leases
 * expire in the store.
 */
final class Watchdog implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ScheduledThreadPoolExecutor scheduler;

    Watchdog() {
        int instance = INSTANCES.incrementAndGet();
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "jobstream-coordination-watchdog-" + instance);
            thread.setDaemon(true);
            return thread;
        });
        // A released lease's renewal leaves the queue at once: without this, every lease held in the last third of
        // a lease's duration waited there cancelled (300,000 entries at 30,000 short leases a second).
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code lease.renewFromWatchdog()} every {@code lease.duration() / 3} until the returned future is cancelled. */
    ScheduledFuture<?> watch(LeaseHandle lease) {
        long periodMs = Math.max(10, lease.duration().toMillis() / 3);
        return scheduler.scheduleAtFixedRate(
                () -> Thread.ofVirtual().name("jobstream-coordination-renewal").start(lease::renewFromWatchdog),
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
