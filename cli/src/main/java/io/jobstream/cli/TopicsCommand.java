package io.jobstream.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream topics ...}: queue topic administration. */
@Command(
        name = "topics",
        description = "Create a queue's topics.",
        mixinStandardHelpOptions = true,
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create");
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create a queue and its derived topics: <queue>, <queue>.failed, <queue>.delay.<tier> for every tier,",
                "<queue>.dlq (30 days' retention), <queue>.dlq.replayed and <queue>.events (compacted).",
                "Topics that exist are left as they are."
            },
            footer = {
                "",
                "Examples:",
                "  jobstream topics create --queue emails --partitions 12 --replication 3",
                "  jobstream topics create --queue emails --json"
            })
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue (topic) name.")
        String queue;

        @Option(
                names = "--partitions",
                defaultValue = "12",
                paramLabel = "N",
                description = "Partitions of the queue and its derived topics (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(
                names = "--replication",
                defaultValue = "1",
                paramLabel = "R",
                description = "Replication factor (default ${DEFAULT-VALUE}; use 3 in production).")
        int replication;

        @Option(
                names = "--json",
                description = "One JSON object: queue, partitions, replication, created (topics), existing (topics).")
        boolean json;

        @Override
        public Integer call() {
            try (QueueTopics topics = QueueTopics.connect(KafkaOptions.reachable(kafka.kafkaSettings()))) {
                QueueTopicsResult result = topics.create(queue, partitions, replication);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    ObjectNode node = JsonNodeFactory.instance.objectNode();
                    node.put("queue", queue);
                    node.put("partitions", partitions);
                    node.put("replication", replication);
                    result.created().forEach(node.putArray("created")::add);
                    result.existing().forEach(node.putArray("existing")::add);
                    out.println(node);
                } else {
                    result.created().forEach(topic -> out.println("created  " + topic));
                    result.existing().forEach(topic -> out.println("exists   " + topic));
                }
                return 0;
            }
        }
    }
}
