package io.jobstream.cli;

import io.jobstream.api.IngestApi;
import io.jobstream.api.IngestApiConfig;
import io.jobstream.api.JobStatusConfig;
import io.jobstream.api.JobStatusProjection;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessChecks;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.HttpConfig;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream api}: the HTTP ingest API and signed webhooks, with /health, /ready and /metrics on one port. */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the HTTP ingest API: POST /v1/queues/{queue}/jobs and /jobs:batch (202 only once Kafka",
            "acknowledged), signed webhooks POST /webhooks/{name}, plus /health, /ready and /metrics, on one port.",
            "Bearer tokens come from the config file or env (jobstream.runtime.http.tokens.*), webhooks from jobstream.api.webhooks.*.",
            "With jobstream.status.queues set, also GET /v1/jobs/{id} and /v1/jobs/{id}/events (job status)."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream api --config api.yaml --port 8080",
            "  curl -X POST localhost:8080/v1/queues/jobs/jobs -H 'Authorization: Bearer $TOKEN' \\",
            "       -H 'Content-Type: application/json' -d '{\"type\":\"log\",\"payload\":{\"hi\":1}}'"
        })
final class ApiCommand implements Callable<Integer> {
    static final ConfigDefinition DEFINITION = IngestApi.DEFINITION;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--port", paramLabel = "PORT", description = "The HTTP port (jobstream.runtime.admin.port).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new HashMap<>();
        if (port != null) {
            flags.put(RuntimeConfig.ADMIN_PORT.name(), port);
        }
        Config config = kafka.load(DEFINITION, flags);
        ServiceHost host = ServiceHost.start(RuntimeConfig.from(config), HttpConfig.from(config));
        try {
            mount(config, host);
            PrintWriter out = spec.commandLine().getOut();
            out.println("jobstream api: listening on " + host.adminUrl());
            out.flush();
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return host.exitStatus(spec.commandLine().getErr());
    }

    /** Mounts the API on {@code host}'s server with its own publisher, both closed by the host on shutdown. */
    static IngestApi mount(Config config, ServiceHost host) {
        KafkaSettings kafkaSettings = KafkaSettings.from(config);
        JobPublisher publisher = JobPublisher.create(PublisherConfig.from(config), kafkaSettings, host.registry());
        host.register("api-publisher", publisher);
        IngestApiConfig apiConfig = IngestApiConfig.from(config);
        // webhook deliveries are remembered in Redis/Dragonfly when configured (every replica shares them)
        Coordination coordination = IngestApi.coordination(CoordinationConfig.from(config));
        host.register("api-coordination", coordination);
        IngestApi api = IngestApi.mount(apiConfig, publisher, host.admin(), coordination);
        host.register("api", api);
        host.readiness(ReadinessChecks.kafka(kafkaSettings.adminProperties()));
        JobStatusConfig status = JobStatusConfig.from(config);
        if (status.enabled()) {
            // GET /v1/jobs/{id} on the same port; /ready waits for the projection to run.
            host.register(
                    "job-status",
                    JobStatusProjection.start(
                            status, PublisherConfig.from(config).serde(), kafkaSettings, host.admin()));
        }
        return api;
    }
}
