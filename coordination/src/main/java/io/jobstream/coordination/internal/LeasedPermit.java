package io.jobstream.coordination.internal;

import io.jobstream.coordination.Permit;
import java.time.Duration;

/** A granted semaphore permit. */
final class LeasedPermit extends LeaseHandle implements Permit {

    private final String semaphoreName;
    private final String id;

    LeasedPermit(Backend backend, String semaphoreName, String id, Duration lease, long grantedAtMs) {
        super(backend, lease, grantedAtMs);
        this.semaphoreName = semaphoreName;
        this.id = id;
    }

    @Override
    public String semaphoreName() {
        return semaphoreName;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    protected boolean renewInStore() {
        return backend.permitRenew(semaphoreName, id, duration());
    }

    @Override
    protected boolean releaseInStore() {
        return backend.permitRelease(semaphoreName, id);
    }

    @Override
    protected boolean heldInStore() {
        return backend.permitHeld(semaphoreName, id);
    }

    @Override
    protected String describe() {
        return "permit " + id + " of semaphore " + semaphoreName;
    }
}
