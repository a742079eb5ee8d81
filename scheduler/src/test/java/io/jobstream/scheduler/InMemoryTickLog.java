package io.jobstream.scheduler;

import io.jobstream.scheduler.internal.TickLog;
import io.jobstream.schemas.Job;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tick log's in-memory twin, shared by the replicas of a test: each replica gets a {@link #writer()}; opening one
 * fences every writer opened before it, as {@code initTransactions} does with one transactional id. A job and its
 * marker are written together. {@link #refuse(int)} makes the next writes fail.
 */
final class InMemoryTickLog {
    private final Map<String, Instant> markers = new HashMap<>();
    private final List<Job> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusals = new AtomicInteger();
    private long epoch;

    /** The jobs written, in order. */
    List<Job> published() {
        return published;
    }

    /** The next {@code count} writes fail. */
    void refuse(int count) {
        refusals.set(count);
    }

    /** A writer for one replica. */
    TickLog writer() {
        return new TickLog() {
            private long opened = -1;

            @Override
            public Map<String, Instant> open() {
                synchronized (InMemoryTickLog.this) {
                    opened = ++epoch;
                    return Map.copyOf(markers);
                }
            }

            @Override
            public void fire(String schedule, Instant tick, String queue, Job job) {
                synchronized (InMemoryTickLog.this) {
                    if (opened < 0) {
                        throw new IllegalStateException("the tick log is not open");
                    }
                    if (opened != epoch) {
                        opened = -1;
                        throw new IllegalStateException("fenced: another writer opened the log");
                    }
                    if (refusals.getAndDecrement() > 0) {
                        opened = -1;
                        throw new IllegalStateException("broker down");
                    }
                    published.add(job);
                    markers.put(schedule, tick);
                }
            }

            @Override
            public void close() {
                opened = -1;
            }
        };
    }
}
