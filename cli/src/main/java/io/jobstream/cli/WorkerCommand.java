package io.jobstream.cli;

import io.jobstream.coordination.Coordination;
import io.jobstream.coordination.CoordinationConfig;
import io.jobstream.processor.BuiltinHandlers;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.OrderingMode;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigDefinition;
import io.jobstream.runtime.ConfigKey;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.ReadinessChecks;
import io.jobstream.runtime.RuntimeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream worker}: runs the jobs of one queue with built-in handlers and/or handlers from user jars. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Run the jobs of a queue (consumer group <queue>.workers). Handlers: the built-ins (noop, sleep, fail,",
            "log — each also registered for the job type of its own name) and ServiceLoader JobHandlerProviders",
            "from the jars in --handlers-dir."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream worker --queue jobs --bootstrap-servers localhost:9092",
            "  jobstream worker --queue emails --handler send_email=log --concurrency 500 --admin-port 9401",
            "  jobstream worker --queue emails --handlers-dir ./handlers --ordering unordered"
        })
final class WorkerCommand implements Callable<Integer> {
    /** {@code jobstream.worker.handlers.<type>: <built-in>}: what {@code --handler TYPE=BUILTIN} sets. */
    static final ConfigKey<Map<String, String>> HANDLERS = ConfigKey.mapKey("jobstream.worker.handlers")
            .doc("Built-in handler per job type, e.g. jobstream.worker.handlers.send_email: log.")
            .build();
    /** {@code jobstream.worker.handlers-dir}: what {@code --handlers-dir} sets. */
    static final ConfigKey<String> HANDLERS_DIR = ConfigKey.stringKey("jobstream.worker.handlers-dir")
            .optional()
            .doc("A directory of jars with JobHandlerProvider services (ServiceLoader).")
            .build();

    static final ConfigDefinition DEFINITION = ProcessorConfig.DEFINITION
            .and(RuntimeConfig.DEFINITION)
            .and(CoordinationConfig.DEFINITION)
            .and(ConfigDefinition.of(HANDLERS, HANDLERS_DIR));

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--queue", paramLabel = "QUEUE", description = "The queue to work on (jobstream.worker.queue).")
    String queue;

    @Option(
            names = "--handler",
            paramLabel = "TYPE=BUILTIN",
            description = "Run jobs of TYPE with a built-in handler (noop, sleep, fail, log); repeatable.")
    Map<String, String> handlers = new LinkedHashMap<>();

    @Option(names = "--handlers-dir", paramLabel = "DIR", description = "Jars with JobHandlerProvider services.")
    Path handlersDir;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "Jobs in flight at most (jobstream.worker.concurrency).")
    Integer concurrency;

    @Option(
            names = "--ordering",
            paramLabel = "MODE",
            description = "key (default), partition or unordered (jobstream.worker.ordering).")
    OrderingMode ordering;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "Port of /health, /ready, /metrics.")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        Config config = kafka.load(DEFINITION, flags());
        ServiceHost host = ServiceHost.start(RuntimeConfig.from(config));
        try {
            Started worker = start(config, host);
            PrintWriter out = spec.commandLine().getOut();
            out.println("jobstream worker: running queue="
                    + worker.processor().config().queue() + " group="
                    + worker.processor().config().group() + " handlers=" + String.join(",", worker.types())
                    + " admin=" + host.adminUrl());
            out.flush();
        } catch (RuntimeException e) {
            host.shutdownNow();
            throw e;
        }
        host.awaitShutdown();
        return host.exitStatus(spec.commandLine().getErr());
    }

    /** A started worker and the job types it handles. */
    record Started(JobProcessor processor, List<String> types) {}

    /**
     * Builds and starts the processor for {@code config}, registered with {@code host} for shutdown; with a
     * coordination store from {@code jobstream.coordination.redis-uri} when that is set.
     */
    static Started start(Config config, ServiceHost host) throws IOException {
        return start(config, host, null);
    }

    /**
     * As {@link #start(Config, ServiceHost)}, with {@code coordination} as the store when not null ({@code dev} passes
     * the in-memory twin); the caller closes it.
     */
    static Started start(Config config, ServiceHost host, Coordination coordination) throws IOException {
        KafkaSettings kafkaSettings = KafkaSettings.from(config);
        ProcessorConfig processorConfig = ProcessorConfig.from(config);
        JobProcessor.Builder builder = JobProcessor.builder(processorConfig).meterRegistry(host.registry());
        Coordination store = coordination;
        if (store == null) {
            Optional<CoordinationConfig> redis = CoordinationConfig.from(config);
            if (redis.isPresent()) {
                store = Coordination.redis(redis.get()); // connects now: an unreachable store fails the start
                host.register("coordination", store); // closed after the worker, registered later, drained
            }
        }
        if (store != null) {
            builder.coordination(store);
        }
        BuiltinHandlers.registerAll(builder);
        Map<String, String> configured = new HashMap<>(config.get(HANDLERS));
        configured.forEach((type, builtin) -> {
            if (!BuiltinHandlers.NAMES.contains(type)) {
                BuiltinHandlers.register(builder, type, builtin);
            }
        });
        if (config.find(HANDLERS_DIR).isPresent()) {
            builder.discoverHandlers(handlerJars(Path.of(config.get(HANDLERS_DIR))));
        }
        List<String> types = builder.handledTypes().stream().sorted().toList();
        JobProcessor processor = builder.build();
        host.readiness(ReadinessChecks.kafka(kafkaSettings.adminProperties()));
        host.registerDrainable("worker", processor);
        processor.start();
        // a poll loop that died (a missing topic, a fenced static member, any fatal error) ends the process with 1
        host.watch("worker", () -> processor.failure().map(Failures::oneLine));
        return new Started(processor, types);
    }

    Map<String, Object> flags() {
        Map<String, Object> flags = new HashMap<>();
        if (queue != null) {
            flags.put(ProcessorConfig.QUEUE.name(), queue);
        }
        if (concurrency != null) {
            flags.put(ProcessorConfig.CONCURRENCY.name(), concurrency);
        }
        if (ordering != null) {
            flags.put(ProcessorConfig.ORDERING.name(), ordering.name());
        }
        if (adminPort != null) {
            flags.put(RuntimeConfig.ADMIN_PORT.name(), adminPort);
        }
        handlers.forEach((type, builtin) -> flags.put(HANDLERS.name() + "." + type, builtin));
        if (handlersDir != null) {
            flags.put(HANDLERS_DIR.name(), handlersDir.toString());
        }
        return flags;
    }

    private static ClassLoader handlerJars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "handlers dir " + dir + " (jobstream.worker.handlers-dir) is not a directory");
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar :
                    files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                try {
                    jars.add(jar.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("cannot load handler jar " + jar + ": " + e.getMessage(), e);
                }
            }
        }
        return new URLClassLoader("handlers", jars.toArray(URL[]::new), WorkerCommand.class.getClassLoader());
    }
}
