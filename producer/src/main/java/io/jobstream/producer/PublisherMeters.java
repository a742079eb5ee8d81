package io.jobstream.producer;

import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;

/**
 * Every meter a {@link JobPublisher} registers. Tags are bounded: {@code queue}, {@code type} (at most {@code
 * TagValues.DEFAULT_MAX} per queue, the rest {@code other}), {@code outcome}. The README's metrics table is generated
 * from these entries.
 */
public enum PublisherMeters implements MeterCatalogue {
    JOBS_PUBLISHED(MeterSpec.counter(
            "jobstream.jobs.published",
            "Jobs handed to the publisher, by outcome: acknowledged by Kafka, rejected before sending, or failed while"
                    + " sending",
            null,
            "queue",
            "type",
            "outcome"));

    private final MeterSpec spec;

    PublisherMeters(MeterSpec spec) {
        this.spec = spec;
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
