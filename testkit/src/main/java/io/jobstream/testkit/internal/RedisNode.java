package io.jobstream.testkit.internal;

import java.nio.file.Path;

/**
 * One Redis-protocol server as a backend runs it. Starting returns once it was launched; readiness is
 * checked by the caller with {@code PING}. Methods are safe to call from any thread.
 */
public sealed interface RedisNode extends AutoCloseable permits ProcessRedisNode, ContainerRedisNode {

    void start();

    String host();

    int port();

    /** SIGKILL, waits for the server to be gone. */
    void kill();

    /** Graceful stop (SIGTERM), waits for the server to exit. */
    void stop();

    /** Starts the server again on the same port (stops it first when running). */
    void restart();

    boolean isRunning();

    /** @throws io.jobstream.testkit.TestkitException with the log's tail when the server died unexpectedly */
    void checkAlive();

    Path logFile();

    /** Ends the server and removes temporary data; idempotent. */
    @Override
    void close();
}
