package io.jobstream.coordination.internal;

import io.jobstream.coordination.Lease;
import io.jobstream.coordination.Renewal;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every lease (lock, permit, claim) shares: local state, renewal by the {@link Watchdog}, loss detection.
 * Thread-safe; the store calls are the subclass's.
 */
abstract class LeaseHandle implements Lease {

    private static final System.Logger LOG = System.getLogger(LeaseHandle.class.getName());

    private enum State {
        HELD,
        RELEASED,
        LOST
    }

    protected final Backend backend;
    private final Duration duration;
    private final CompletableFuture<Void> lost = new CompletableFuture<>();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile State state = State.HELD;
    private volatile long confirmedAtMs;
    private volatile ScheduledFuture<?> renewal;

    LeaseHandle(Backend backend, Duration duration, long grantedAtMs) {
        this.backend = backend;
        this.duration = duration;
        this.confirmedAtMs = grantedAtMs;
    }

    /** Starts the watchdog when asked for; call once, right after the grant. */
    final void start(Watchdog watchdog, Renewal mode) {
        if (mode == Renewal.WATCHDOG) {
            renewal = watchdog.watch(this);
        }
    }

    protected abstract boolean renewInStore();

    protected abstract boolean releaseInStore();

    protected abstract boolean heldInStore();

    protected abstract String describe();

    @Override
    public final Duration duration() {
        return duration;
    }

    @Override
    public final boolean isHeld() {
        return state == State.HELD && backend.clock().millis() - confirmedAtMs < duration.toMillis();
    }

    @Override
    public final boolean validate() {
        if (state != State.HELD) {
            return false;
        }
        if (heldInStore()) {
            return state == State.HELD;
        }
        markLost("the store no longer holds it");
        return false;
    }

    @Override
    public final boolean renew() {
        if (state != State.HELD) {
            return false;
        }
        long askedAt = backend.clock().millis();
        if (renewInStore()) {
            confirmedAtMs = askedAt;
            return state == State.HELD;
        }
        markLost("renewal refused: the lease expired or another holder took it");
        return false;
    }

    /** One watchdog round: renew, and declare the lease lost when refused or unconfirmed for a whole lease. */
    final void renewFromWatchdog() {
        if (state != State.HELD || !renewing.compareAndSet(false, true)) {
            return;
        }
        try {
            renew();
        } catch (RuntimeException e) {
            if (backend.clock().millis() - confirmedAtMs >= duration.toMillis()) {
                markLost("renewals failed for a whole lease: " + e.getMessage());
            } else {
                LOG.log(Level.DEBUG, "event=renewal-failed lease={0} error={1}", describe(), e.getMessage());
            }
        } finally {
            renewing.set(false);
        }
    }

    @Override
    public final boolean release() {
        if (state == State.RELEASED) {
            return false;
        }
        boolean wasHeld = state == State.HELD;
        stopRenewal();
        state = State.RELEASED;
        return releaseInStore() && wasHeld;
    }

    /** Stops renewing and forgets the lease locally without touching the store (after it was marked done). */
    protected final void finish() {
        stopRenewal();
        state = State.RELEASED;
    }

    @Override
    public final CompletionStage<Void> whenLost() {
        return lost.minimalCompletionStage();
    }

    @Override
    public final void close() {
        release();
    }

    protected final void markLost(String why) {
        if (state != State.HELD) {
            return;
        }
        state = State.LOST;
        stopRenewal();
        LOG.log(Level.INFO, "event=lease-lost lease={0} reason=\"{1}\"", describe(), why);
        lost.complete(null);
    }

    private void stopRenewal() {
        ScheduledFuture<?> current = renewal;
        if (current != null) {
            current.cancel(false);
        }
    }

    @Override
    public String toString() {
        return describe() + "[" + state + "]";
    }
}
