package io.jobstream.runtime.internal;

/**
 * Writes a {@code sasl.jaas.config} line. Kafka parses it with a {@link java.io.StreamTokenizer},
 * whose quoted strings take backslash escapes, so {@code \} and {@code "} are escaped; line breaks
 * cannot be represented and are rejected.
 */
public final class Jaas {
    private Jaas() {}

    /** {@code <module> required username="<user>" password="<password>";}. */
    public static String usernamePassword(String loginModule, String username, String password) {
        return loginModule + " required username=\"" + quote(username, "username") + "\" password=\""
                + quote(password, "password") + "\";";
    }

    private static String quote(String value, String what) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the SASL " + what + " must not contain a line break");
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
