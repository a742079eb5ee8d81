package io.jobstream.processor.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Whether the jobs of one partition assignment may still write (a failure, a deferral, an event). Open while the
 * assignment lasts; the poll thread {@link #close(Duration) closes} it when the partition is revoked or lost, after
 * which no write of those jobs starts: another worker owns the partition and runs the jobs again from the committed
 * offset, so a write of the old assignment would start a second lineage of the job.
 *
 * <p>Thread-safe: job threads pass each send through {@link #pass(Supplier)}; closing waits (bounded) for the sends
 * already inside to hand their record to the producer, so none starts after {@code close} returned.
 */
public final class WriteGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** Runs {@code send} (it hands a record to the producer) unless the gate is closed; null when closed. */
    public <T> T pass(Supplier<T> send) {
        if (closed) {
            return null;
        }
        lock.readLock().lock();
        try {
            return closed ? null : send.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Closes the gate: no send starts from now on; waits up to {@code timeout} for sends already passing to return.
     * Idempotent.
     */
    public void close(Duration timeout) {
        closed = true;
        try {
            if (lock.writeLock().tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                lock.writeLock().unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the gate was closed. */
    public boolean isClosed() {
        return closed;
    }
}
