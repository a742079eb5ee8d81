package io.jobstream.cli;

import io.jobstream.cli.internal.EmbeddedKafka;
import io.jobstream.cli.internal.ServiceHost;
import io.jobstream.coordination.Coordination;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.IngestApiConfig;
import io.jobstream.producer.JobStatusConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobstream dev}: Jobstream on this machine with nothing installed but a JDK — a real Kafka broker inside this
 * process (KRaft, data under {@code ./.jobstream/}), the {@code jobs} queue with its derived topics, a worker with the
 * built-in handlers, the dlq-service (with the lag monitor and DLQ routes) and the HTTP API on port 8080 (no token
 * needed: development only). Runs until Ctrl-C (SIGINT) or SIGTERM, then stops everything cleanly:
 * worker first (draining), then the dlq-service, the admin server, and the broker last.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = {
            "Run Jobstream on this machine: an embedded Kafka broker (data in --data-dir), the queue --queue with",
            "all its derived topics, a worker with the built-in handlers (noop, sleep, fail, log), the",
            "dlq-service (retries with backoff, dead letters, lag monitor) and the HTTP API on --port (no token",
            "needed: development only). Ctrl-C stops everything."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream dev",
            "  jobstream dev --kafka-port 19092 --port 18080 --data-dir /tmp/jobstream"
        })
final class DevCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data-dir",
            defaultValue = ".jobstream",
            paramLabel = "DIR",
            description = "Where the broker keeps its data (default ${DEFAULT-VALUE}); kept across runs.")
    Path dataDir;

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            paramLabel = "PORT",
            description = "The broker's client port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free port).")
    int kafkaPort;

    @Option(
            names = "--controller-port",
            defaultValue = "0",
            paramLabel = "PORT",
            description = "The broker's KRaft controller port (default: any free port).")
    int controllerPort;

    @Option(
            names = "--port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "HTTP port of the API, the DLQ routes, /health, /ready and /metrics (default"
                    + " ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--queue",
            defaultValue = "jobs",
            paramLabel = "QUEUE",
            description = "The queue to create and work on (default ${DEFAULT-VALUE}).")
    String queue;

    @Option(
            names = "--partitions",
            defaultValue = "3",
            paramLabel = "N",
            description = "Partitions of the queue (default ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ServiceHost host =
                ServiceHost.start(new RuntimeConfig("127.0.0.1", port, Duration.ofSeconds(2), Duration.ofSeconds(30)));
        try {
            out.println("jobstream dev: starting Kafka (data in "
                    + dataDir.toAbsolutePath().normalize() + ")");
            out.flush();
            EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, kafkaPort, controllerPort, Duration.ofSeconds(60));
            host.register("kafka", kafka);
            QueueTopicsResult topics = createQueue(kafka.bootstrapServers());
            Config config = config(kafka.bootstrapServers());
            DlqServiceCommand.start(config, host, false);
            ApiCommand.mount(config, host);
            Coordination coordination = Coordination.inMemory(Clock.systemUTC()); // locks etc. in this process
            host.register("coordination", coordination);
            WorkerCommand.Started worker = WorkerCommand.start(config, host, coordination);
            printReady(out, kafka, topics, host, worker);
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return 0;
    }

    private Config config(String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        settings.put(ProcessorConfig.QUEUE.name(), queue);
        settings.put(DlqServiceConfig.QUEUES.name(), queue);
        settings.put(
                DlqServiceConfig.STATE_DIR.name(),
                dataDir.resolve("streams").toAbsolutePath().toString());
        // Development only: anyone on this machine may publish without a token.
        settings.put(IngestApiConfig.AUTH_REQUIRED.name(), false);
        settings.put(JobStatusConfig.QUEUES.name(), queue);
        settings.put(
                JobStatusConfig.STATE_DIR.name(),
                dataDir.resolve("streams").toAbsolutePath().toString());
        return ConfigLoader.forDefinition(WorkerCommand.DEFINITION
                        .and(DlqServiceCommand.DEFINITION)
                        .and(ApiCommand.DEFINITION)
                        .and(KafkaSettings.DEFINITION))
                .withOverrides(settings)
                .load();
    }

    private QueueTopicsResult createQueue(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return QueueTopics.using(admin).create(queue, partitions, 1);
        }
    }

    private void printReady(
            PrintWriter out,
            EmbeddedKafka kafka,
            QueueTopicsResult topics,
            ServiceHost host,
            WorkerCommand.Started worker) {
        String bootstrap = kafka.bootstrapServers();
        out.println("jobstream dev: ready");
        out.println("  kafka    " + bootstrap);
        out.println("  queue    " + queue + " (" + partitions + " partitions; "
                + topics.topics().size() + " topics incl. " + queue + ".failed, " + queue + ".dlq, " + queue
                + ".events, delay tiers)");
        out.println("  worker   handlers " + String.join(", ", worker.types()));
        out.println("  api      " + host.adminUrl() + "/v1/queues/" + queue + "/jobs   (no token needed in dev)");
        out.println("  status   " + host.adminUrl() + "/v1/jobs/{id}   (./jobstream jobs get ID --api "
                + host.adminUrl() + ")");
        out.println("  admin    " + host.adminUrl() + "/health  /ready  /metrics");
        out.println(
                "  publish  curl -s -X POST " + host.adminUrl() + "/v1/queues/" + queue
                        + "/jobs -H 'Content-Type: application/json' -d '{\"type\":\"log\",\"payload\":{\"hello\":\"world\"}}'");
        out.println("           ./jobstream publish --bootstrap-servers " + bootstrap + " --queue " + queue
                + " --type log --payload '{\"hello\":\"world\"}'");
        out.println("           echo '{\"type\":\"log\",\"payload\":{\"to\":\"a@b.c\"}}' | kcat -P -b " + bootstrap
                + " -t " + queue);
        out.println("Ctrl-C stops everything.");
        out.flush();
    }
}
