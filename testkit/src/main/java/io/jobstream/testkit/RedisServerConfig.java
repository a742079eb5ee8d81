package io.jobstream.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a {@link RedisServer} looks like; built by {@link RedisServer.Builder}, validated here.
 *
 * @param name a short label for the log folder ({@code [a-z0-9-]+})
 * @param flavor redis-server or Dragonfly
 * @param backend processes or containers
 * @param arguments extra server arguments after the testkit's own ({@code --port}, {@code --bind},
 *     persistence off), e.g. {@code List.of("--maxmemory", "64mb")}
 * @param startupTimeout how long to wait for the server to answer {@code PING}
 * @param logRoot the folder under which this server's log folder is created
 */
public record RedisServerConfig(
        String name,
        RedisFlavor flavor,
        Backend backend,
        List<String> arguments,
        Duration startupTimeout,
        Path logRoot) {

    /** The default {@code startupTimeout}. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    public RedisServerConfig {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match [a-z0-9][a-z0-9-]{0,39} (was '" + name + "')");
        }
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(arguments, "arguments");
        for (String argument : arguments) {
            if (argument == null) {
                throw new IllegalArgumentException("arguments must not contain null");
            }
            if (argument.equals("--port") || argument.startsWith("--port=")) {
                throw new IllegalArgumentException("arguments must not set --port: the testkit picks a free port");
            }
        }
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive (was " + startupTimeout + ")");
        }
        Objects.requireNonNull(logRoot, "logRoot");
    }
}
