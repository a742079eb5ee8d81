package io.jobstream.runtime;

import java.util.Objects;

/** The outcome of one {@link ReadinessCheck}: up, or down with a reason an operator can act on. */
public sealed interface CheckResult {

    /** The checked dependency is usable. */
    record Up() implements CheckResult {}

    /**
     * The checked dependency is not usable.
     *
     * @param reason why, for anyone who asks {@code /ready} or {@code /health} (which need no token): it names no
     *     address and carries no exception text, e.g. "no answer from the Kafka cluster within 5s"
     * @param detail what an operator needs to fix it (addresses, the exception), logged and never served; may be
     *     empty
     */
    record Down(String reason, String detail) implements CheckResult {
        /** Checks the reason is present. */
        public Down {
            Objects.requireNonNull(reason, "reason");
            detail = detail == null ? "" : detail;
        }

        /** Down without a detail to log. */
        public Down(String reason) {
            this(reason, "");
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

    /** Down, because of {@code reason} (served), with {@code detail} (logged only). */
    static CheckResult down(String reason, String detail) {
        return new Down(reason, detail);
    }

    /** True for {@link Up}. */
    default boolean isUp() {
        return this instanceof Up;
    }
}
