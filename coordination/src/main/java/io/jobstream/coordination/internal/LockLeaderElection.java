package io.jobstream.coordination.internal;

import io.jobstream.coordination.CoordinationUnavailableException;
import io.jobstream.coordination.LeaderElection;
import io.jobstream.coordination.LeadershipListener;
import io.jobstream.coordination.Lock;
import io.jobstream.coordination.Locks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Leadership as a lock held with a watchdog: a virtual thread campaigns (waits for the lock), tells the listener,
 * waits for the loss of the lock or for {@link #close()}, tells the listener again, and campaigns anew.
 */
final class LockLeaderElection implements LeaderElection {

    private static final System.Logger LOG = System.getLogger(LockLeaderElection.class.getName());

    private final Locks locks;
    private final String name;
    private final Duration lease;
    private final Duration retryInterval;
    private final LeadershipListener listener;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Lock current;
    private volatile CountDownLatch termEnd = new CountDownLatch(0);
    private Thread campaign;

    private LockLeaderElection(
            Locks locks, String name, Duration lease, Duration retryInterval, LeadershipListener listener) {
        this.locks = locks;
        this.name = name;
        this.lease = lease;
        this.retryInterval = retryInterval;
        this.listener = listener;
    }

    static LockLeaderElection start(
            Locks locks, String name, Duration lease, Duration retryInterval, LeadershipListener listener) {
        LockLeaderElection election = new LockLeaderElection(locks, name, lease, retryInterval, listener);
        election.campaign =
                Thread.ofVirtual().name("jobstream-leader-election-" + name).start(election::campaign);
        return election;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isLeader() {
        Lock lock = current;
        return lock != null && lock.isHeld();
    }

    @Override
    public OptionalLong fencingToken() {
        Lock lock = current;
        return lock != null && lock.isHeld() ? OptionalLong.of(lock.fencingToken()) : OptionalLong.empty();
    }

    private void campaign() {
        while (closed.getCount() > 0) {
            Optional<Lock> acquired;
            try {
                acquired = locks.tryAcquire(name, lease, lease);
            } catch (CoordinationUnavailableException e) {
                LOG.log(
                        Level.DEBUG,
                        "event=election-store-unavailable election={0} error=\"{1}\"",
                        name,
                        e.getMessage());
                if (pause(retryInterval)) {
                    return;
                }
                continue;
            } catch (CancellationException e) {
                return;
            }
            if (acquired.isEmpty()) {
                continue;
            }
            Lock lock = acquired.get();
            CountDownLatch termEnd = new CountDownLatch(1);
            this.termEnd = termEnd;
            current = lock;
            lock.whenLost().thenRun(termEnd::countDown);
            if (closed.getCount() == 0) {
                termEnd.countDown();
            }
            notify(() -> listener.onGranted(lock.fencingToken()), "onGranted");
            boolean interrupted = false;
            while (termEnd.getCount() > 0) {
                try {
                    termEnd.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            current = null;
            Thread.interrupted(); // the release below must not be cut short by close()
            releaseQuietly(lock);
            notify(listener::onRevoked, "onRevoked");
            if (interrupted) {
                return;
            }
        }
    }

    /** Waits {@code duration} unless closed; true when closed (or interrupted). */
    private boolean pause(Duration duration) {
        try {
            return closed.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void releaseQuietly(Lock lock) {
        try {
            lock.release();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "event=election-release-failed election={0} error=\"{1}\"", name, e.getMessage());
        }
    }

    private void notify(Runnable call, String what) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event=leadership-listener-failed election=" + name + " call=" + what, e);
        }
    }

    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        termEnd.countDown();
        if (current == null) {
            campaign.interrupt();
        }
        try {
            campaign.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
