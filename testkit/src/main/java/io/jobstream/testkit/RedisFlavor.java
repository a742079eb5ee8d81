package io.jobstream.testkit;

import java.util.Locale;

/** Which server speaks the Redis protocol in a {@link RedisServer}. */
public enum RedisFlavor {
    /** {@code redis-server} (Debian package {@code redis-server}); image {@code redis} for containers. */
    REDIS("redis-server"),
    /** {@code dragonfly}; image {@code docker.dragonflydb.io/dragonflydb/dragonfly} for containers. */
    DRAGONFLY("dragonfly");

    /** The environment variable that picks a flavor: {@code redis} or {@code dragonfly}. */
    public static final String ENVIRONMENT_VARIABLE = "JOBSTREAM_TEST_REDIS";

    private final String binary;

    RedisFlavor(String binary) {
        this.binary = binary;
    }

    /** The executable looked up on {@code PATH} by the process backend. */
    public String binary() {
        return binary;
    }

    /**
     * Parses {@code redis}/{@code redis-server} or {@code dragonfly}.
     *
     * @throws IllegalArgumentException naming {@link #ENVIRONMENT_VARIABLE} for anything else
     */
    public static RedisFlavor parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "redis", "redis-server" -> REDIS;
            case "dragonfly" -> DRAGONFLY;
            default ->
                throw new IllegalArgumentException(
                        ENVIRONMENT_VARIABLE + " must be 'redis' or 'dragonfly' (was '" + value.trim() + "')");
        };
    }
}
