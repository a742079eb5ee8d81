package io.jobstream.cli;

import io.jobstream.api.IngestApiConfig;
import io.jobstream.api.JobStatusConfig;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.lag.LagMonitorConfig;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.SchemaSettings;

/**
 * Every configuration key the {@code jobstream} command reads, in one definition: the README's configuration table
 * is generated from it ({@code ReadmeTest} fails when the table is stale; regenerate with the command in the README).
 */
public final class ConfigReference {
    /** All keys: Kafka client settings, the service runtime, the wire format and schema registry, the worker, the dlq-service and lag monitor, the publisher, the HTTP API, the scheduler. */
    public static final ConfigDefinition ALL = ConfigDefinition.combine(
            KafkaSettings.DEFINITION,
            RuntimeConfig.DEFINITION,
            SchemaSettings.DEFINITION,
            WorkerCommand.DEFINITION,
            DlqServiceConfig.DEFINITION,
            LagMonitorConfig.DEFINITION,
            PublisherConfig.DEFINITION,
            IngestApiConfig.DEFINITION,
            JobStatusConfig.DEFINITION,
            SchedulerCommand.DEFINITION,
            ProcessorConfig.DEFINITION,
            CoordinationConfig.DEFINITION);

    private ConfigReference() {}
}
