package io.jobstream.coordination.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Release notifications inside this JVM: a generation counter per channel that waiters watch. Channels are
 * reference-counted; {@code onFirst}/{@code onLast} let a store subscribe and unsubscribe. Thread-safe, virtual-thread
 * friendly (no monitors held while waiting).
 */
final class Signals {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Channel> channels = new HashMap<>();
    private final Consumer<String> onFirst;
    private final Consumer<String> onLast;

    Signals(Consumer<String> onFirst, Consumer<String> onLast) {
        this.onFirst = onFirst;
        this.onLast = onLast;
    }

    /** Announces a release of {@code channel} to its watchers. */
    void fire(String channel) {
        Channel target;
        lock.lock();
        try {
            target = channels.get(channel);
        } finally {
            lock.unlock();
        }
        if (target != null) {
            target.fire();
        }
    }

    Backend.ReleaseWatch watch(String channel) {
        Channel target;
        boolean first;
        lock.lock();
        try {
            target = channels.computeIfAbsent(channel, c -> new Channel());
            first = target.watchers++ == 0;
        } finally {
            lock.unlock();
        }
        if (first) {
            onFirst.accept(channel);
        }
        return new Watch(channel, target);
    }

    private void unwatch(String channel, Channel target) {
        boolean last = false;
        lock.lock();
        try {
            if (--target.watchers == 0 && channels.get(channel) == target) {
                channels.remove(channel);
                last = true;
            }
        } finally {
            lock.unlock();
        }
        if (last) {
            onLast.accept(channel);
        }
    }

    private static final class Channel {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long generation;
        private int watchers; // guarded by Signals.lock

        void fire() {
            lock.lock();
            try {
                generation++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        long generation() {
            lock.lock();
            try {
                return generation;
            } finally {
                lock.unlock();
            }
        }
    }

    private final class Watch implements Backend.ReleaseWatch {
        private final String channel;
        private final Channel target;
        private long seen;
        private boolean closed;

        Watch(String channel, Channel target) {
            this.channel = channel;
            this.target = target;
            this.seen = target.generation();
        }

        @Override
        public void await(Duration max) throws InterruptedException {
            long remaining = max.toNanos();
            target.lock.lock();
            try {
                while (target.generation == seen && remaining > 0) {
                    remaining = target.changed.awaitNanos(remaining);
                }
                seen = target.generation;
            } finally {
                target.lock.unlock();
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                unwatch(channel, target);
            }
        }
    }
}
