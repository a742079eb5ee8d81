package io.jobstream.cli;

import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigException;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.scheduler.CronScheduler;
import io.jobstream.scheduler.SchedulerConfig;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream scheduler}: publishes jobs on cron schedules; any number of replicas fire each tick once. */
@Command(
        name = "scheduler",
        mixinStandardHelpOptions = true,
        description = {
            "Publish jobs on cron schedules (jobstream.scheduler.schedules.<name>.cron|queue|type|payload|zone|",
            "ordering-key|max-attempts|misfire in the config file). Replicas elect a leader in Redis/Dragonfly",
            "(--redis-uri). Each tick's job is written in one Kafka transaction with a marker of the schedule's",
            "last fired tick (compacted topic jobstream.scheduler.marker-topic, default jobstream.schedules, created",
            "when missing) that every new leader reads first: a tick fires once, even if Redis loses its data."
        },
        footer = {
            "",
            "Example config (scheduler.yaml):",
            "  jobstream:",
            "    scheduler:",
            "      schedules:",
            "        nightly-report: {cron: \"0 2 * * *\", zone: Europe/Paris, queue: reports, type: build_report}",
            "        heartbeat: {cron: \"@every 5m\", queue: jobs, type: log, payload: '{\"ping\":true}'}",
            "",
            "Examples:",
            "  jobstream scheduler --config scheduler.yaml --redis-uri redis://localhost:6379",
            "  jobstream scheduler --config scheduler.yaml --redis-uri redis://dragonfly:6379 --admin-port 9403"
        })
final class SchedulerCommand implements Callable<Integer> {
    static final ConfigDefinition DEFINITION = SchedulerConfig.DEFINITION
            .and(PublisherConfig.DEFINITION)
            .and(RuntimeConfig.DEFINITION)
            .and(CoordinationConfig.DEFINITION);

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--redis-uri",
            paramLabel = "URI",
            description = "Redis/Dragonfly URI (jobstream.coordination.redis-uri). A secret when it holds a password:"
                    + " prefer the env var JOBSTREAM_COORDINATION_REDIS_URI (flags show in the process list).")
    String redisUri;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "Port of /health, /ready, /metrics.")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new HashMap<>();
        if (redisUri != null) {
            flags.put(CoordinationConfig.REDIS_URI_KEY.name(), redisUri);
        }
        if (adminPort != null) {
            flags.put(RuntimeConfig.ADMIN_PORT.name(), adminPort);
        }
        Config config = kafka.load(DEFINITION, flags);
        CoordinationConfig coordinationConfig = CoordinationConfig.from(config)
                .orElseThrow(() -> new ConfigException("the scheduler needs a Redis/Dragonfly to elect its leader: set "
                        + CoordinationConfig.REDIS_URI_KEY.name() + " (env " + CoordinationConfig.REDIS_URI_KEY.envVar()
                        + ", or --redis-uri)"));
        ServiceHost host = ServiceHost.start(RuntimeConfig.from(config));
        try {
            Coordination coordination = Coordination.redis(coordinationConfig);
            host.register("coordination", coordination);
            SchedulerConfig schedules = start(config, coordination, host);
            PrintWriter out = spec.commandLine().getOut();
            out.println("jobstream scheduler: running schedules="
                    + schedules.schedules().size() + " admin=" + host.adminUrl());
            out.flush();
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return host.exitStatus(spec.commandLine().getErr());
    }

    /** Starts a scheduler for {@code config} on {@code coordination}, registered with {@code host} for shutdown. */
    static SchedulerConfig start(Config config, Coordination coordination, ServiceHost host) {
        SchedulerConfig schedules = SchedulerConfig.from(config);
        CronScheduler scheduler = CronScheduler.create(
                schedules, KafkaSettings.from(config), PublisherConfig.from(config), coordination, host.registry());
        host.register("scheduler", scheduler);
        scheduler.start();
        // a tick log that can never work (a marker topic not compacted, refused credentials) or a dead scheduling
        // thread: /health and /ready 503, the process exits with 1 naming it
        host.watch("scheduler", scheduler::failure);
        return schedules;
    }
}
