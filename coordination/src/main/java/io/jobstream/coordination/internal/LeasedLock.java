package io.jobstream.coordination.internal;

import io.jobstream.coordination.Lock;
import java.time.Duration;

/** A granted lock: name, holder id and fencing token. */
final class LeasedLock extends LeaseHandle implements Lock {

    private final String name;
    private final String holder;
    private final long token;

    LeasedLock(Backend backend, String name, String holder, long token, Duration lease, long grantedAtMs) {
        super(backend, lease, grantedAtMs);
        this.name = name;
        this.holder = holder;
        this.token = token;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    protected boolean renewInStore() {
        return backend.lockRenew(name, holder, token, duration());
    }

    @Override
    protected boolean releaseInStore() {
        return backend.lockRelease(name, holder, token);
    }

    @Override
    protected boolean heldInStore() {
        return backend.lockHeld(name, holder, token);
    }

    @Override
    protected String describe() {
        return "lock " + name + " token " + token;
    }
}
