package io.jobstream.runtime;

import java.time.Duration;

/**
 * A component that shuts down gracefully: stops taking new work, finishes what is in flight within
 * the time it is given, then releases its resources. {@link GracefulShutdown} calls
 * {@link #drain(Duration)} once, on a thread of its own, and abandons (interrupts) it when it
 * overruns.
 */
@FunctionalInterface
public interface Drainable {

    /**
     * Drains within {@code timeout}: the share of the shutdown budget this component has.
     *
     * @throws Exception when draining fails; the shutdown logs it and goes on with the next component
     */
    void drain(Duration timeout) throws Exception;
}
