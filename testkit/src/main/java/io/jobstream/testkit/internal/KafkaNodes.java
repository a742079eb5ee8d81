package io.jobstream.testkit.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * The brokers of one cluster as a backend runs them. Starting returns once every broker was launched;
 * readiness is checked by the caller through the Kafka protocol. Methods are safe to call from any thread.
 */
public sealed interface KafkaNodes extends AutoCloseable permits ProcessKafkaNodes, ContainerKafkaNodes {

    /** Formats storage where needed and launches every broker. */
    void start();

    /** {@code host:port} of every broker, whatever its state. */
    String bootstrapServers();

    /** {@code host:port} of every broker's SCRAM listener, comma-separated; only for a cluster built with one. */
    String scramBootstrapServers();

    /** {@code host:port} of one broker. */
    String address(int id);

    /** Whether the broker is paused (SIGSTOP / docker pause) and not resumed since. */
    boolean isPaused(int id);

    List<Integer> brokerIds();

    /** Graceful stop (SIGTERM), waits for the broker to exit. */
    void stop(int id);

    /** SIGKILL, waits for the broker to be gone. */
    void kill(int id);

    /** SIGSTOP. */
    void pause(int id);

    /** SIGCONT. */
    void resume(int id);

    /** Starts a stopped or killed broker again on the same data and ports (stops it first when running). */
    void restart(int id);

    boolean isRunning(int id);

    /**
     * @throws io.jobstream.testkit.TestkitException naming the broker and the tail of its log when a broker
     *     that should be running has died
     */
    void checkAlive();

    /** Where this broker's output goes. */
    Path logFile(int id);

    /** Ends every broker and removes temporary data; idempotent. */
    @Override
    void close();
}
