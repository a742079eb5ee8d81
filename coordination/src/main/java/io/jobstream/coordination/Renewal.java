package io.jobstream.coordination;

/** Who keeps a lease (a lock, a permit, an idempotency claim) alive. */
public enum Renewal {
    /** A watchdog renews the lease every third of its duration while the holder's JVM runs (the default). */
    WATCHDOG,
    /** The holder calls {@code renew()} itself; the lease expires when it stops. */
    MANUAL
}
