package io.jobstream.cli;

import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.alert.AlertConfig;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.dlq.lag.LagMonitorConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.SchemaSettings;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.SerdeConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream dlq-service}: the failure router and delay forwarder of one or more queues. */
@Command(
        name = "dlq-service",
        mixinStandardHelpOptions = true,
        description = {
            "Route failures of <queue>.failed: retry through the delay tiers with backoff, or dead-letter to",
            "<queue>.dlq; forward delayed jobs from <queue>.delay.<tier> when due."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream dlq-service --queue jobs --bootstrap-servers localhost:9092",
            "  jobstream dlq-service --queue emails --max-attempts 8 --backoff 2s --admin-port 9402"
        })
final class DlqServiceCommand implements Callable<Integer> {
    static final ConfigDefinition DEFINITION = DlqServiceConfig.DEFINITION
            .and(LagMonitorConfig.DEFINITION)
            .and(RuntimeConfig.DEFINITION)
            .and(SchemaSettings.DEFINITION);

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--queue",
            paramLabel = "QUEUE",
            description = "A queue to serve; repeatable (jobstream.dlq.queues).")
    List<String> queues = new ArrayList<>();

    @Option(
            names = "--max-attempts",
            paramLabel = "N",
            description = "Attempts before dead-lettering (jobstream.dlq.retry.max-attempts).")
    Integer maxAttempts;

    @Option(
            names = "--backoff",
            paramLabel = "DURATION",
            description = "First retry's backoff, doubling after (jobstream.dlq.retry.initial-backoff), e.g. 1s.")
    String backoff;

    @Option(
            names = "--slack-webhook",
            paramLabel = "URL",
            description = "Slack incoming webhook for dead-letter and lag alerts"
                    + " (jobstream.dlq.alerts.slack.webhook-url; default: env SLACK_WEBHOOK_URL). A secret: prefer the env"
                    + " var (flags show in the process list); never logged.")
    String slackWebhook;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "Port of /health, /ready, /metrics, DLQ routes.")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        Config config = kafka.load(DEFINITION, flags());
        ServiceHost host = ServiceHost.start(RuntimeConfig.from(config), HttpConfig.from(config));
        try {
            start(config, host, true);
            PrintWriter out = spec.commandLine().getOut();
            out.println("jobstream dlq-service: running queues="
                    + String.join(",", DlqServiceConfig.from(config).queues()) + " admin=" + host.adminUrl());
            out.flush();
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return host.exitStatus(spec.commandLine().getErr());
    }

    /**
     * Builds and starts the service for {@code config} — router, forwarder, dead-letter alerts, the lag monitor (its
     * status changes alerted through the same sinks) and, with {@code dlqRoutes}, the {@code /v1/queues/{q}/dlq} admin
     * routes — registered with {@code host} for shutdown.
     * ({@code jobstream dev} leaves the routes out: its port serves the ingest API under {@code /v1/queues/}.)
     */
    static DlqService start(Config config, ServiceHost host, boolean dlqRoutes) {
        KafkaSettings kafka = KafkaSettings.from(config);
        DlqService service = DlqService.builder(DlqServiceConfig.from(config), kafka)
                .serdes(serdes(config))
                .registry(host.registry())
                .alerts(AlertConfig.from(config, System.getenv()))
                .build();
        host.readiness(service.readinessCheck());
        host.register("dlq-service", () -> service.close(Duration.ofSeconds(20)));
        service.start();
        // a router in ERROR, a forwarder or alert feed that stopped: /health and /ready 503, the process exits with 1
        host.watch("dlq-service", () -> {
            List<String> problems = service.problems();
            return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
        });
        if (dlqRoutes) {
            service.adminRoutes().forEach(host.admin()::route);
        }

        Admin admin = Admin.create(kafka.adminProperties());
        host.register("lag-admin", admin::close);
        LagMonitor monitor =
                LagMonitor.create(LagMonitorConfig.from(config), admin, kafka, host.registry(), Clock.systemUTC());
        monitor.addListener(service.lagAlerts()); // status changes → the alert sinks (jobstream.dlq.alerts.lag.*)
        host.register("lag-monitor", monitor);
        monitor.start();
        return service;
    }

    /**
     * How the dlq-service reads failures and writes retries, dead letters and events: the {@code jobstream.schemas.*}
     * keys, as every role.
     */
    static SerdeConfig serdes(Config config) {
        return SchemaSettings.from(config);
    }

    Map<String, Object> flags() {
        Map<String, Object> flags = new HashMap<>();
        if (!queues.isEmpty()) {
            flags.put(DlqServiceConfig.QUEUES.name(), String.join(",", queues));
        }
        if (maxAttempts != null) {
            flags.put(DlqServiceConfig.MAX_ATTEMPTS.name(), maxAttempts);
        }
        if (backoff != null) {
            flags.put(DlqServiceConfig.INITIAL_BACKOFF.name(), backoff);
        }
        if (slackWebhook != null) {
            flags.put(AlertConfig.SLACK_WEBHOOK_URL.name(), slackWebhook);
        }
        if (adminPort != null) {
            flags.put(RuntimeConfig.ADMIN_PORT.name(), adminPort);
        }
        return flags;
    }
}
