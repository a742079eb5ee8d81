package io.jobstream.runtime;

import java.time.Duration;

/** How one component's shutdown went, as reported by {@link GracefulShutdown#shutdown()}. */
public sealed interface ShutdownStep {

    /** The component's name, as registered. */
    String name();

    /**
     * The component closed or drained in time.
     *
     * @param name the component
     * @param took how long it took, by the shutdown's clock
     */
    record Closed(String name, Duration took) implements ShutdownStep {}

    /**
     * The component threw while closing or draining.
     *
     * @param name the component
     * @param error what it threw
     */
    record Failed(String name, Throwable error) implements ShutdownStep {}

    /**
     * The component was still closing when its share of the budget ran out; it was interrupted and
     * left behind.
     *
     * @param name the component
     * @param share the time it had
     */
    record Abandoned(String name, Duration share) implements ShutdownStep {}
}
