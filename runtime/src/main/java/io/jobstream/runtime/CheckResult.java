package io.jobstream.runtime;

import java.util.Objects;

/** The outcome of one {@link ReadinessCheck}: up, or down with a reason an operator can act on. */
public sealed interface CheckResult {

    /** The checked dependency is usable. */
    record Up() implements CheckResult {}

    /**
     * The checked dependency is not usable.
     *
     * @param reason why, e.g. "cannot connect to localhost:6379: Connection refused"
     */
    record Down(String reason) implements CheckResult {
        /** Checks the reason is present. */
        public Down {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Up. */
    static CheckResult up() {
        return new Up();
    }

    /** Down, because of {@code reason}. */
    static CheckResult down(String reason) {
        return new Down(reason);
    }

    /** True for {@link Up}. */
    default boolean isUp() {
        return this instanceof Up;
    }
}
