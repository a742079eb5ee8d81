package io.jobstream.cli;

import io.jobstream.cli.internal.EmbeddedKafka;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import io.jobstream.runtime.GracefulShutdown;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobstream dev}: Jobstream on this machine with nothing installed but a JDK — a real Kafka broker inside this
 * process (KRaft, data under {@code ./.jobstream/}) and the {@code jobs} queue with its derived topics. Runs until
 * Ctrl-C (SIGINT) or SIGTERM, then stops everything cleanly.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = {
            "Run Jobstream on this machine: an embedded Kafka broker (data in --data-dir) and the queue",
            "--queue with all its derived topics. Ctrl-C stops everything."
        },
        footer = {"", "Examples:", "  jobstream dev", "  jobstream dev --kafka-port 19092 --data-dir /tmp/jobstream"})
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
            names = "--queue",
            defaultValue = "jobs",
            paramLabel = "QUEUE",
            description = "The queue to create (default ${DEFAULT-VALUE}).")
    String queue;

    @Option(
            names = "--partitions",
            defaultValue = "3",
            paramLabel = "N",
            description = "Partitions of the queue (default ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        GracefulShutdown shutdown = GracefulShutdown.create(Duration.ofSeconds(30));
        shutdown.register("stopped", stopped::countDown);
        shutdown.installShutdownHook();
        try {
            out.println("jobstream dev: starting Kafka (data in "
                    + dataDir.toAbsolutePath().normalize() + ")");
            EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, kafkaPort, controllerPort, Duration.ofSeconds(60));
            shutdown.register("kafka", kafka);
            QueueTopicsResult topics = createQueue(kafka.bootstrapServers());
            printReady(out, kafka, topics);
        } catch (RuntimeException e) {
            shutdown.shutdown();
            throw e;
        }
        stopped.await();
        return 0;
    }

    private QueueTopicsResult createQueue(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return QueueTopics.using(admin).create(queue, partitions, 1);
        }
    }

    private void printReady(PrintWriter out, EmbeddedKafka kafka, QueueTopicsResult topics) {
        String bootstrap = kafka.bootstrapServers();
        out.println("jobstream dev: ready");
        out.println("  kafka   " + bootstrap);
        out.println("  queue   " + queue + " (" + partitions + " partitions; "
                + topics.topics().size() + " topics incl. " + queue + ".failed, " + queue + ".dlq, " + queue
                + ".events, delay tiers)");
        out.println("  publish echo '{\"type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\"}}' | kcat -P -b "
                + bootstrap + " -t " + queue);
        out.println("Ctrl-C stops everything.");
        out.flush();
    }
}
