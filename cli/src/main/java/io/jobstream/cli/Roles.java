package io.jobstream.cli;

import io.jobstream.coordination.Coordination;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.scheduler.SchedulerConfig;
import java.io.IOException;
import java.util.List;

/**
 * Jobstream's roles started inside one process, exactly as their own commands start them ({@code api}, {@code
 * worker}, {@code dlq-service}, {@code scheduler}): for a command that composes them on one {@link ServiceHost}, as
 * {@code jobstream dev} does. Each started role is registered with the host, which closes it on shutdown.
 */
public final class Roles {
    private Roles() {}

    /** Every key the four roles read (and the Kafka connection's), for one {@link io.jobstream.runtime.ConfigLoader}. */
    public static ConfigDefinition definition() {
        return WorkerCommand.DEFINITION
                .and(DlqServiceCommand.DEFINITION)
                .and(ApiCommand.DEFINITION)
                .and(SchedulerCommand.DEFINITION)
                .and(KafkaSettings.DEFINITION);
    }

    /** Starts the retry router, delay forwarders and lag monitor; the DLQ routes are the API's to serve here. */
    public static void startDlqService(Config config, ServiceHost host) {
        DlqServiceCommand.start(config, host, false);
    }

    /** Mounts the HTTP ingest API (and job status when configured) on the host's port. */
    public static void mountApi(Config config, ServiceHost host) {
        ApiCommand.mount(config, host);
    }

    /** Starts a worker with {@code coordination}; returns the job types it has handlers for. */
    public static List<String> startWorker(Config config, ServiceHost host, Coordination coordination)
            throws IOException {
        return WorkerCommand.start(config, host, coordination).types();
    }

    /** Starts the cron scheduler (leader-elected through {@code coordination}); returns its schedules. */
    public static SchedulerConfig startScheduler(Config config, Coordination coordination, ServiceHost host) {
        return SchedulerCommand.start(config, coordination, host);
    }
}
