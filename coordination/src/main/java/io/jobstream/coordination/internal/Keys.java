package io.jobstream.coordination.internal;

import java.util.Objects;

/**
 * Redis key names, {@code jobstream:{<kind>:<name>}:<part>}: every key of one primitive shares one hash tag, so its
 * scripts run in one slot of a Redis Cluster and Dragonfly sees every key declared.
 */
public final class Keys {

    private static final int MAX_NAME_LENGTH = 512;

    private Keys() {}

    /**
     * Checks a primitive's name.
     *
     * @throws IllegalArgumentException naming {@code what} when the name is empty, too long, or contains a brace or
     *     a control character (a brace would break the hash tag)
     */
    public static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    what + " must have 1 to " + MAX_NAME_LENGTH + " characters (was " + name.length() + ")");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '{' || c == '}' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        what + " must not contain '{', '}' or control characters (was '" + name + "')");
            }
        }
        return name;
    }

    static String tag(String kind, String name) {
        return "jobstream:{" + kind + ":" + name + "}:";
    }

    public static String lockOwner(String name) {
        return tag("lock", name) + "owner";
    }

    public static String lockFence(String name) {
        return tag("lock", name) + "fence";
    }

    public static String lockReleased(String name) {
        return tag("lock", name) + "released";
    }

    public static String semaphorePermits(String name) {
        return tag("semaphore", name) + "permits";
    }

    public static String semaphoreReleased(String name) {
        return tag("semaphore", name) + "released";
    }

    public static String rateTat(String name) {
        return tag("rate", name) + "tat";
    }

    public static String claimState(String jobId) {
        return tag("idempotency", jobId) + "state";
    }

    public static String claimReleased(String jobId) {
        return tag("idempotency", jobId) + "released";
    }

    /** The key remembering the answer to {@code requestId}, beside {@code key} (same hash tag). */
    public static String request(String key, String requestId) {
        int end = key.indexOf("}:");
        return key.substring(0, end + 2) + "request:" + requestId;
    }
}
