package io.jobstream.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * One thing {@code /ready} asks about: is the broker reachable, is Redis reachable, has the
 * consumer joined its group. {@link #check()} runs on its own virtual thread for each request and is
 * abandoned (interrupted, counted as down) when it takes longer than its timeout; a check that throws
 * counts as down with the exception as the reason.
 *
 * <p>A check that holds resources (a client) releases them in {@link #close()}, which the
 * {@link AdminServer} calls when it closes.
 */
public interface ReadinessCheck extends AutoCloseable {

    /** A short stable name, shown in the {@code /ready} response ({@code kafka}, {@code redis}). */
    String name();

    /** Checks once; may block up to {@link #timeout()}. */
    CheckResult check() throws Exception;

    /** How long one check may take; empty for the server's default ({@code jobstream.runtime.admin.check-timeout}). */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }

    /** Releases what the check holds. The default holds nothing. */
    @Override
    default void close() {}

    /** A check from a function, with the server's default timeout. */
    static ReadinessCheck of(String name, Callable<CheckResult> check) {
        return of(name, Optional.empty(), check);
    }

    /** A check from a function, with its own timeout. */
    static ReadinessCheck of(String name, Duration timeout, Callable<CheckResult> check) {
        return of(name, Optional.of(timeout), check);
    }

    private static ReadinessCheck of(String name, Optional<Duration> timeout, Callable<CheckResult> check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout of readiness check " + name + " must be positive");
            }
        });
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult check() throws Exception {
                return check.call();
            }

            @Override
            public Optional<Duration> timeout() {
                return timeout;
            }

            @Override
            public String toString() {
                return "ReadinessCheck[" + name + "]";
            }
        };
    }
}
