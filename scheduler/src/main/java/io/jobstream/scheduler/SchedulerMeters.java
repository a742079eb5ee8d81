package io.jobstream.scheduler;

import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;

/**
 * Every meter a {@link CronScheduler} registers. Tags are bounded: {@code schedule} (a configured schedule's name),
 * {@code outcome}. The README's metrics table is generated from these entries.
 */
public enum SchedulerMeters implements MeterCatalogue {
    FIRES(MeterSpec.counter(
            "jobstream.scheduler.fires", "Ticks the scheduler published (or failed to)", null, "schedule", "outcome")),
    LEADER(MeterSpec.gauge("jobstream.scheduler.leader", "1 on the replica that leads the scheduling, else 0", null));

    private final MeterSpec spec;

    SchedulerMeters(MeterSpec spec) {
        this.spec = spec;
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
