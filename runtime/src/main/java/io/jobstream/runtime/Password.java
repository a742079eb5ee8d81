package io.jobstream.runtime;

import java.util.Objects;

/**
 * A secret setting's value. {@link #toString()} never shows it, so a password cannot leak through
 * a log line or an error message; call {@link #value()} where the secret is actually needed.
 */
public final class Password {
    /** What {@link #toString()} shows instead of the secret. */
    public static final String HIDDEN = "[hidden]";

    private final String value;

    private Password(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Wraps a secret. */
    public static Password of(String value) {
        return new Password(value);
    }

    /** The secret itself. */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Password that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return HIDDEN;
    }
}
