package io.jobstream.runtime.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Config key naming: validation, the env var of a key, and "did you mean" suggestions. */
public final class Names {
    /** {@code jobstream.<segment>(.<segment>)*}, each segment lowercase kebab-case. */
    public static final Pattern KEY = Pattern.compile("jobstream(\\.[a-z0-9]+(-[a-z0-9]+)*)+");

    /** Every key must start with this. */
    public static final String ROOT = "jobstream.";

    private Names() {}

    /** True for setting names that usually hold secrets ({@code *password*}, {@code *secret*}, {@code *jaas*}). */
    public static boolean looksSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("secret") || n.contains("jaas") || n.contains("token");
    }

    /** {@code jobstream.worker.max-attempts} → {@code JOBSTREAM_WORKER_MAX_ATTEMPTS}. */
    public static String envVar(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The known name closest to {@code unknown}, when it is close enough to be a likely typo. */
    public static Optional<String> closest(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(unknown, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(3, unknown.length() / 4);
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein edit distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
