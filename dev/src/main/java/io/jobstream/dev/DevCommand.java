package io.jobstream.dev;

import io.jobstream.api.JobStatusConfig;
import io.jobstream.cli.ExtensionCommand;
import io.jobstream.cli.Roles;
import io.jobstream.cli.ServiceHost;
import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.dev.internal.DemoWorkload;
import io.jobstream.dev.internal.EmbeddedKafka;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.scheduler.SchedulerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
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
            "dlq-service (retries with backoff, dead letters, lag monitor), the HTTP API on --port (no token",
            "needed: development only) with job status, and the cron scheduler when schedules are configured",
            "(--config). Locks and leader election are in memory unless --redis-uri is given. --demo also",
            "publishes a steady demo workload (some jobs failing, some delayed) and a heartbeat schedule.",
            "Ctrl-C stops everything."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream dev",
            "  jobstream dev --demo",
            "  jobstream dev --config dev.yaml --redis-uri redis://localhost:6379",
            "  jobstream dev --kafka-port 19092 --port 18080 --data-dir /tmp/jobstream"
        })
public final class DevCommand implements Callable<Integer>, ExtensionCommand {
    @Override
    public boolean listedFirst() {
        return true;
    }

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

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML config file for anything dev does not set itself (schedules, per-type rules,"
                    + " retry policies, alerts); dev's own settings (broker, queue, ports, no API token) win.")
    Path configFile;

    @Option(
            names = "--redis-uri",
            paramLabel = "URI",
            description = "Use this Redis/Dragonfly for locks, semaphores, rate limits and leader election instead"
                    + " of the in-memory twin. A secret when it holds a password: visible to other users in the process"
                    + " list, so prefer JOBSTREAM_COORDINATION_REDIS_URI; printed with the password masked.")
    String redisUri;

    @Option(
            names = "--demo",
            description = "Also publish a steady demo workload (log and sleep jobs, some failing once, some always,"
                    + " some delayed) and a heartbeat schedule, so retries, the DLQ, alerts, lag and job status"
                    + " all have something to show.")
    boolean demo;

    @Option(
            names = "--demo-rate",
            defaultValue = "5",
            paramLabel = "N",
            description = "Demo jobs per second (default ${DEFAULT-VALUE}).")
    int demoRate;

    /** The heartbeat schedule --demo adds when the config has none. */
    static final String DEMO_SCHEDULE = "demo-heartbeat";

    @Override
    public Integer call() throws Exception {
        if (demoRate < 1 || demoRate > 1_000) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--demo-rate must be between 1 and 1000 jobs/s, got " + demoRate);
        }
        PrintWriter out = spec.commandLine().getOut();
        // Development only: anyone on this machine may call the API without a token; the server binds 127.0.0.1,
        // the only address where the seam lets a state-changing route share the port with unauthenticated probes.
        ServiceHost host = ServiceHost.start(
                RuntimeConfig.builder().adminHost("127.0.0.1").adminPort(port).build(),
                HttpConfig.builder().authRequired(false).build());
        try {
            out.println("jobstream dev: starting Kafka (data in "
                    + dataDir.toAbsolutePath().normalize() + ")");
            out.flush();
            EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, kafkaPort, controllerPort, Duration.ofSeconds(60));
            host.register("kafka", kafka);
            QueueTopicsResult topics = createQueue(kafka.bootstrapServers());
            Config config = config(kafka.bootstrapServers());
            Roles.startDlqService(config, host);
            Roles.mountApi(config, host);
            Coordination coordination = redisUri != null
                    ? Coordination.redis(CoordinationConfig.of(redisUri))
                    : Coordination.inMemory(Clock.systemUTC()); // locks etc. in this process
            host.register("coordination", coordination);
            List<String> handlers = Roles.startWorker(config, host, coordination);
            int schedules = config.get(SchedulerConfig.SCHEDULES).isEmpty()
                    ? 0
                    : Roles.startScheduler(config, coordination, host)
                            .schedules()
                            .size();
            if (demo) {
                JobPublisher publisher =
                        JobPublisher.create(PublisherConfig.from(config), KafkaSettings.from(config), host.registry());
                host.register("demo-publisher", publisher);
                host.register("demo", DemoWorkload.start(publisher, queue, demoRate, new SplittableRandom()));
            }
            printReady(out, kafka, topics, host, handlers, schedules, coordination.location());
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return host.exitStatus(spec.commandLine().getErr());
    }

    private Config config(String bootstrapServers) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        settings.put(ProcessorConfig.QUEUE.name(), queue);
        settings.put(DlqServiceConfig.QUEUES.name(), queue);
        settings.put(
                DlqServiceConfig.STATE_DIR.name(),
                dataDir.resolve("streams").toAbsolutePath().toString());
        settings.put(JobStatusConfig.QUEUES.name(), queue);
        settings.put(
                JobStatusConfig.STATE_DIR.name(),
                dataDir.resolve("streams").toAbsolutePath().toString());
        if (demo) {
            String prefix = SchedulerConfig.SCHEDULES.name() + "." + DEMO_SCHEDULE + ".";
            settings.put(prefix + "cron", "@every 30s");
            settings.put(prefix + "queue", queue);
            settings.put(prefix + "type", "log");
            settings.put(prefix + "payload", "{\"heartbeat\":true}");
        }
        ConfigLoader loader = ConfigLoader.forDefinition(Roles.definition())
                .withEnvironment(System.getenv())
                .withOverrides(settings);
        if (configFile != null) {
            loader = loader.withFile(configFile);
        }
        return loader.load();
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
            List<String> handlers,
            int schedules,
            String coordinationLocation) {
        String bootstrap = kafka.bootstrapServers();
        out.println("jobstream dev: ready");
        out.println("  kafka    " + bootstrap);
        out.println("  queue    " + queue + " (" + partitions + " partitions; "
                + topics.topics().size() + " topics incl. " + queue + ".failed, " + queue + ".dlq, " + queue
                + ".events, delay tiers)");
        out.println("  worker   handlers " + String.join(", ", handlers));
        out.println("  api      " + host.adminUrl() + "/v1/queues/" + queue + "/jobs   (no token needed in dev)");
        out.println("  status   " + host.adminUrl() + "/v1/jobs/{id}   (./jobstream jobs get ID --api "
                + host.adminUrl() + ")");
        out.println("  admin    " + host.adminUrl() + "/health  /ready  /metrics");
        if (schedules > 0) {
            out.println("  cron     " + schedules + " schedule(s), leader election "
                    + (redisUri != null ? "on " + coordinationLocation : "in memory"));
        }
        if (demo) {
            out.println("  demo     ~" + demoRate + " jobs/s: log, sleep, fail once, fail always (dead-lettered),"
                    + " delayed; watch: ./jobstream lag --bootstrap-servers " + bootstrap + " --watch");
        }
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
