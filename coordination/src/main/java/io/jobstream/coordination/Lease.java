package io.jobstream.coordination;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Something held for a limited time in the coordination store: a {@link Lock}, a {@link Permit} or an acquired
 * idempotency {@link Claim}. Thread-safe.
 */
public interface Lease extends AutoCloseable {

    /** How long the lease lasts after each grant or renewal. */
    Duration duration();

    /**
     * Whether this holder still believes it holds the lease: not released, not found lost, and renewed within the
     * last {@link #duration()}. No round trip; use {@link #validate()} before an action that must not run unguarded.
     */
    boolean isHeld();

    /**
     * Asks the store whether this lease is still this holder's (one round trip). A {@code false} answer also marks the
     * lease lost.
     *
     * @throws CoordinationUnavailableException when the store is unreachable
     */
    boolean validate();

    /**
     * Extends the lease by {@link #duration()}.
     *
     * @return {@code false} when the lease had already expired or been taken by another holder (it is then lost)
     * @throws CoordinationUnavailableException when the store is unreachable
     */
    boolean renew();

    /**
     * Gives the lease back (compare-and-delete: only this holder's lease is removed) and stops its renewal.
     *
     * @return {@code false} when the lease was no longer this holder's
     * @throws CoordinationUnavailableException when the store is unreachable; the lease then expires by itself
     */
    boolean release();

    /** Completes when the lease is found lost (a renewal was refused, or failed for longer than the lease); never on release. */
    CompletionStage<Void> whenLost();

    /** {@link #release()}, ignoring whether the lease was still held. */
    @Override
    void close();
}
