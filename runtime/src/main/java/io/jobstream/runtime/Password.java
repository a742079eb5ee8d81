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

    /**
     * Whether this is a placeholder shipped in an example rather than a real secret: it contains {@code change-me}
     * (or {@code changeme}, {@code change_me}, {@code replace-me}, {@code placeholder}), or is a well-known default
     * such as {@code admin}, {@code password} or {@code secret}.
     */
    public boolean isPlaceholder() {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        for (String marker : PLACEHOLDER_MARKERS) {
            if (v.contains(marker)) {
                return true;
            }
        }
        return WELL_KNOWN_DEFAULTS.contains(v);
    }

    /**
     * This secret, refused when it is a {@link #isPlaceholder() placeholder}.
     *
     * @throws ConfigException naming {@code key} (never the value) when it is
     */
    public Password requireReal(String key) {
        if (isPlaceholder()) {
            throw new ConfigException(key + " is a placeholder from an example, not a secret: set it to a long random"
                    + " value (for example: openssl rand -hex 32)");
        }
        return this;
    }

    private static final java.util.List<String> PLACEHOLDER_MARKERS =
            java.util.List.of("change-me", "changeme", "change_me", "replace-me", "placeholder");
    private static final java.util.Set<String> WELL_KNOWN_DEFAULTS =
            java.util.Set.of("admin", "password", "secret", "changeit", "123456");

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
