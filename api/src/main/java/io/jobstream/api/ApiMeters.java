package io.jobstream.api;

import io.jobstream.runtime.MeterCatalogue;
import io.jobstream.runtime.MeterSpec;

/**
 * Every meter the API registers: the HTTP ingest API's and the job-status projection's. Tags are bounded: {@code
 * route} (a route template), {@code status} (an HTTP status), {@code outcome}. The README's metrics table is generated
 * from these entries.
 */
public enum ApiMeters implements MeterCatalogue {
    REQUESTS(MeterSpec.timer(
            "jobstream.api.requests",
            "HTTP ingest API requests, by route template and status; histogram buckets 5 ms to 30 s, so"
                    + " histogram_quantile over _bucket gives latency quantiles across replicas",
            "route",
            "status")),
    STATUS_EVENTS(MeterSpec.counter(
            "jobstream.status.events",
            "Job events read by the job-status projection, by outcome: applied, late, duplicate, unknown_state,"
                    + " undecodable, misrouted, error",
            null,
            "outcome")),
    STATUS_EVENT_DELAY(MeterSpec.timer(
            "jobstream.status.event.delay",
            "Time from a job event to its fold into the job-status store (the projection's lag in time)")),
    STATUS_ENQUEUED(
            MeterSpec.counter("jobstream.status.enqueued", "Jobs seen on a queue topic (recorded as ENQUEUED)", null)),
    STATUS_PURGED(MeterSpec.counter("jobstream.status.purged", "Job statuses dropped after their retention", null));

    private final MeterSpec spec;

    ApiMeters(MeterSpec spec) {
        this.spec = spec;
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
