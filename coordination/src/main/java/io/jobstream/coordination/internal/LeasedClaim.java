package io.jobstream.coordination.internal;

import io.jobstream.coordination.Claim;
import java.time.Duration;
import java.util.Objects;

/** An acquired idempotency claim. */
final class LeasedClaim extends LeaseHandle implements Claim.Acquired {

    private final String jobId;
    private final String holder;

    LeasedClaim(Backend backend, String jobId, String holder, Duration lease, long grantedAtMs) {
        super(backend, lease, grantedAtMs);
        this.jobId = jobId;
        this.holder = holder;
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public boolean markDone(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive (was " + retention + ")");
        }
        boolean done = backend.claimDone(jobId, holder, retention);
        finish();
        return done;
    }

    @Override
    protected boolean renewInStore() {
        return backend.claimRenew(jobId, holder, duration());
    }

    @Override
    protected boolean releaseInStore() {
        return backend.claimRelease(jobId, holder);
    }

    @Override
    protected boolean heldInStore() {
        return backend.claimHeld(jobId, holder);
    }

    @Override
    protected String describe() {
        return "claim of job " + jobId;
    }
}
