package io.jobstream.runtime;

import java.time.Duration;
import java.util.List;

/**
 * What a graceful shutdown did: one {@link ShutdownStep} per component, in the order they were shut
 * down (reverse registration order).
 *
 * @param steps one per component
 * @param took the whole shutdown, by the shutdown's clock
 */
public record ShutdownReport(List<ShutdownStep> steps, Duration took) {
    /** Copies the steps. */
    public ShutdownReport {
        steps = List.copyOf(steps);
    }

    /** True when every component closed in time without failing. */
    public boolean clean() {
        return steps.stream().allMatch(step -> step instanceof ShutdownStep.Closed);
    }

    /** The names of the components, in shutdown order. */
    public List<String> order() {
        return steps.stream().map(ShutdownStep::name).toList();
    }
}
