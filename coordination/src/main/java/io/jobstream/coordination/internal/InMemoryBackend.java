package io.jobstream.coordination.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store in this JVM's memory, for {@code jobstream dev} and unit tests: the same semantics as the Redis scripts,
 * with leases expiring by the given {@link Clock}. One lock guards all state; operations are short.
 */
public final class InMemoryBackend implements Backend {

    private record Owner(String holder, long token, long expiresAtMs) {}

    private record ClaimState(String holder, boolean done, long expiresAtMs) {}

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Owner> owners = new HashMap<>();
    private final Map<String, Long> fences = new HashMap<>();
    private final Map<String, Map<String, Long>> semaphores = new HashMap<>();
    private final Map<String, Long> arrivalsUs = new HashMap<>();
    private final Map<String, ClaimState> claims = new HashMap<>();
    private final Signals signals = new Signals(channel -> {}, channel -> {});

    public InMemoryBackend(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String location() {
        return "memory:";
    }

    @Override
    public Clock clock() {
        return clock;
    }

    private long nowMs() {
        return clock.millis();
    }

    private Owner liveOwner(String name) {
        Owner owner = owners.get(name);
        if (owner != null && owner.expiresAtMs() <= nowMs()) {
            owners.remove(name);
            return null;
        }
        return owner;
    }

    @Override
    public Grant lockAcquire(String name, String holder, Duration lease) {
        lock.lock();
        try {
            Owner owner = liveOwner(name);
            if (owner != null) {
                return Grant.busy(Duration.ofMillis(owner.expiresAtMs() - nowMs()));
            }
            long token = fences.merge(name, 1L, Long::sum);
            owners.put(name, new Owner(holder, token, nowMs() + lease.toMillis()));
            return Grant.granted(token);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean lockRenew(String name, String holder, long token, Duration lease) {
        lock.lock();
        try {
            Owner owner = liveOwner(name);
            if (owner == null || !owner.holder().equals(holder) || owner.token() != token) {
                return false;
            }
            owners.put(name, new Owner(holder, token, nowMs() + lease.toMillis()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean lockRelease(String name, String holder, long token) {
        boolean released;
        lock.lock();
        try {
            Owner owner = liveOwner(name);
            released = owner != null && owner.holder().equals(holder) && owner.token() == token;
            if (released) {
                owners.remove(name);
            }
        } finally {
            lock.unlock();
        }
        if (released) {
            signals.fire(Keys.lockReleased(name));
        }
        return released;
    }

    @Override
    public boolean lockHeld(String name, String holder, long token) {
        lock.lock();
        try {
            Owner owner = liveOwner(name);
            return owner != null && owner.holder().equals(holder) && owner.token() == token;
        } finally {
            lock.unlock();
        }
    }

    private Map<String, Long> livePermits(String name) {
        Map<String, Long> permits = semaphores.computeIfAbsent(name, n -> new HashMap<>());
        long now = nowMs();
        permits.values().removeIf(expiresAt -> expiresAt <= now);
        return permits;
    }

    @Override
    public Grant permitAcquire(String name, int permits, String permitId, Duration lease) {
        lock.lock();
        try {
            Map<String, Long> held = livePermits(name);
            if (held.size() < permits) {
                held.put(permitId, nowMs() + lease.toMillis());
                return Grant.granted(0);
            }
            long earliest =
                    held.values().stream().mapToLong(Long::longValue).min().orElse(nowMs());
            return Grant.busy(Duration.ofMillis(earliest - nowMs()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean permitRenew(String name, String permitId, Duration lease) {
        lock.lock();
        try {
            Map<String, Long> held = livePermits(name);
            if (!held.containsKey(permitId)) {
                return false;
            }
            held.put(permitId, nowMs() + lease.toMillis());
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean permitRelease(String name, String permitId) {
        boolean released;
        lock.lock();
        try {
            released = livePermits(name).remove(permitId) != null;
        } finally {
            lock.unlock();
        }
        signals.fire(Keys.semaphoreReleased(name));
        return released;
    }

    @Override
    public boolean permitHeld(String name, String permitId) {
        lock.lock();
        try {
            return livePermits(name).containsKey(permitId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int permitsHeld(String name) {
        lock.lock();
        try {
            return livePermits(name).size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Grant rateAcquire(String name, double permitsPerSecond, int burst) {
        long intervalUs = RateMath.intervalMicros(permitsPerSecond);
        lock.lock();
        try {
            long nowUs = RateMath.micros(clock.instant());
            long arrival = Math.max(arrivalsUs.getOrDefault(name, nowUs), nowUs);
            long next = arrival + intervalUs;
            long allowedAt = next - burst * intervalUs;
            if (allowedAt > nowUs) {
                return Grant.busy(Duration.ofNanos((allowedAt - nowUs) * 1000));
            }
            arrivalsUs.put(name, next);
            return Grant.granted(0);
        } finally {
            lock.unlock();
        }
    }

    private ClaimState liveClaim(String jobId) {
        ClaimState state = claims.get(jobId);
        if (state != null && state.expiresAtMs() <= nowMs()) {
            claims.remove(jobId);
            return null;
        }
        return state;
    }

    @Override
    public Grant claim(String jobId, String holder, Duration lease) {
        lock.lock();
        try {
            ClaimState state = liveClaim(jobId);
            if (state == null) {
                claims.put(jobId, new ClaimState(holder, false, nowMs() + lease.toMillis()));
                return Grant.granted(0);
            }
            if (state.done()) {
                return Grant.alreadyDone();
            }
            return Grant.busy(Duration.ofMillis(state.expiresAtMs() - nowMs()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean claimRenew(String jobId, String holder, Duration lease) {
        lock.lock();
        try {
            ClaimState state = liveClaim(jobId);
            if (state == null || state.done() || !state.holder().equals(holder)) {
                return false;
            }
            claims.put(jobId, new ClaimState(holder, false, nowMs() + lease.toMillis()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean claimHeld(String jobId, String holder) {
        lock.lock();
        try {
            ClaimState state = liveClaim(jobId);
            return state != null && !state.done() && state.holder().equals(holder);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean claimDone(String jobId, String holder, Duration retention) {
        lock.lock();
        try {
            ClaimState state = liveClaim(jobId);
            if (state == null || state.done() || state.holder().equals(holder)) {
                claims.put(jobId, new ClaimState(holder, true, nowMs() + retention.toMillis()));
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean claimRelease(String jobId, String holder) {
        lock.lock();
        try {
            ClaimState state = liveClaim(jobId);
            if (state != null && !state.done() && state.holder().equals(holder)) {
                claims.remove(jobId);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ReleaseWatch watch(String channel) {
        return signals.watch(channel);
    }

    @Override
    public void close() {}
}
