package io.jobstream.runtime;

import java.util.Optional;

/**
 * The rule for job ids a client supplies (the HTTP API's {@code id}, {@code JobPublisher}, {@code jobstream publish}):
 * 1 to {@value #MAX_LENGTH} characters, each an ASCII letter or digit or one of {@code - _ . : @ + = ~}. Ids the
 * publisher makes itself (ULIDs) satisfy it. No slash, brace, percent, space or control character, so an id is safe in
 * a URL path segment, a log line, a Redis key and the status store's {@code <queue>/<id>} key. The one place this
 * rule lives; every check of a supplied id calls it. Stateless and thread-safe.
 */
public final class JobIds {
    /** The longest id. */
    public static final int MAX_LENGTH = 128;
    /** The punctuation an id may hold besides ASCII letters and digits. */
    public static final String PUNCTUATION = "-_.:@+=~";

    private JobIds() {}

    /** Whether {@code id} satisfies the rule. */
    public static boolean isValid(String id) {
        return problem(id).isEmpty();
    }

    /**
     * What is wrong with {@code id}, for a client: empty when it satisfies the rule. The text never repeats the id
     * itself (it may hold line breaks); it names the position of the first bad character.
     */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("a job id must not be empty");
        }
        if (id.length() > MAX_LENGTH) {
            return Optional.of("a job id has at most " + MAX_LENGTH + " characters, this one " + id.length());
        }
        for (int i = 0; i < id.length(); i++) {
            if (!allowed(id.charAt(i))) {
                return Optional.of("a job id holds only ASCII letters, digits and " + PUNCTUATION + "; character "
                        + (i + 1) + " is not one of them");
            }
        }
        return Optional.empty();
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || PUNCTUATION.indexOf(c) >= 0;
    }
}
