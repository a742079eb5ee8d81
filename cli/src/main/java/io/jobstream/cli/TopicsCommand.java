package io.jobstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.QueueTopics;
import io.jobstream.producer.QueueTopicsResult;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jobstream topics ...}: queue topic administration. */
@Command(
        name = "topics",
        description = "Create a queue's topics, or grow a queue's partition count.",
        mixinStandardHelpOptions = true,
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Partitions.class})
final class TopicsCommand implements Runnable {
    /** Partitions of a new queue when --partitions is not given. */
    static final int DEFAULT_PARTITIONS = 12;

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create or partitions");
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create a queue and its derived topics: <queue>, <queue>.failed, <queue>.delay.<tier> for every tier,",
                "<queue>.dlq (30 days' retention), <queue>.dlq.replayed and <queue>.events (compacted).",
                "Topics that exist are left as they are; a missing derived topic of an existing queue is created with",
                "the queue's partition count. It never changes the partition count of an existing queue: asked for",
                "another count, it fails and names `jobstream topics partitions`, which checks what is in flight first."
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
                paramLabel = "N",
                description = "Partitions of a new queue and its topics (default " + DEFAULT_PARTITIONS
                        + "); an existing queue keeps its count.")
        Integer partitions;

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
            if (partitions != null && partitions < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions: must be at least 1, got " + partitions);
            }
            try (Admin admin =
                    Admin.create(KafkaOptions.reachable(kafka.kafkaSettings()).adminProperties())) {
                QueueLayout layout = QueueLayout.read(admin, queue, ADMIN_TIMEOUT);
                int count = layout.queuePartitions().orElse(partitions == null ? DEFAULT_PARTITIONS : partitions);
                if (partitions != null && partitions != count) {
                    throw new IllegalStateException("queue " + queue + " already has " + count + " partitions, not "
                            + partitions + "; topics create never changes an existing queue (keys would move to other"
                            + " partitions): to grow it, jobstream topics partitions --queue " + queue + " --count "
                            + partitions);
                }
                QueueTopicsResult result = QueueTopics.using(admin).create(queue, count, replication);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    ObjectNode node = JsonNodeFactory.instance.objectNode();
                    node.put("queue", queue);
                    node.put("partitions", count);
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

    @Command(
            name = "partitions",
            mixinStandardHelpOptions = true,
            description = {
                "Grow a queue to --count partitions: the queue, <queue>.failed, every <queue>.delay.<tier>, <queue>.dlq,",
                "<queue>.dlq.replayed and the dlq-service router's changelog, in one request. <queue>.events keeps its",
                "count (the job-status projection is partitioned like it). Kafka cannot remove partitions.",
                "",
                "Adding partitions moves keys: a key's next jobs go to another partition than its earlier ones, so they",
                "can run before earlier jobs of the key still waiting. So the command first reads what is in flight:",
                "the lag of the workers' group on the queue and of the router on <queue>.failed. It refuses while",
                "either is not zero, unless --force; jobs waiting in the delay tiers are listed but never block (a",
                "retried or delayed job already comes back behind later jobs of its key). To grow without reordering:",
                "stop the publishers, wait for `jobstream lag --queue Q` to show 0, run this, start the publishers.",
                "Publishers learn the new count at their next metadata refresh (metadata.max.age.ms, 5 min by default);",
                "restart them to switch at once. See docs/OPERATIONS.md."
            },
            footer = {
                "",
                "Examples:",
                "  jobstream topics partitions --queue emails --count 24 --dry-run",
                "  jobstream topics partitions --queue emails --count 24",
                "  jobstream topics partitions --queue emails --count 24 --force    # accept out-of-order keys in flight",
                "",
                "Exit codes: 0 grown (or already that size), 1 refused or failed, 2 a usage error (e.g. a smaller count)."
            })
    static final class Partitions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue (topic) name.")
        String queue;

        @Option(
                names = "--count",
                required = true,
                paramLabel = "N",
                description = "The new partition count; at least the queue's current count.")
        int count;

        @Option(
                names = "--group",
                paramLabel = "GROUP",
                description = "The workers' consumer group (default <queue>.workers; the key jobstream.worker.group).")
        String group;

        @Option(
                names = "--force",
                description = "Grow even while jobs or failures are in flight: their keys may run out of order.")
        boolean force;

        @Option(names = "--dry-run", description = "Print what would be done and what is in flight; change nothing.")
        boolean dryRun;

        @Option(
                names = "--json",
                description = "One JSON object: queue, from, to, grow and keep (topics with their counts), in-flight"
                        + " counts, refused (why it refused; absent when it did not), changed.")
        boolean json;

        @Override
        public Integer call() {
            if (count < 1) {
                throw new ParameterException(spec.commandLine(), "--count: must be at least 1, got " + count);
            }
            String workers = group == null ? Names.workerGroup(queue) : group;
            try (Admin admin =
                    Admin.create(KafkaOptions.reachable(kafka.kafkaSettings()).adminProperties())) {
                QueueLayout layout = QueueLayout.read(admin, queue, ADMIN_TIMEOUT);
                int from = layout.queuePartitions()
                        .orElseThrow(() -> new IllegalStateException("queue " + queue
                                + " does not exist: create it with jobstream topics create --queue " + queue
                                + " --partitions " + count));
                if (count < from) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--count: " + queue + " has " + from + " partitions and Kafka cannot remove partitions;"
                                    + " to shrink, create a new queue and move publishers to it");
                }
                Map<String, Integer> grow = new LinkedHashMap<>();
                Map<String, Integer> keep = new LinkedHashMap<>();
                layout.partitions().forEach((topic, partitions) -> {
                    if (layout.resizable().contains(topic) && partitions < count) {
                        grow.put(topic, partitions);
                    } else {
                        keep.put(topic, partitions);
                    }
                });
                long jobs = sum(layout.waiting(admin, workers, List.of(queue), ADMIN_TIMEOUT));
                long failures = sum(
                        layout.waiting(admin, Names.dlqRouter(queue), List.of(Topics.failed(queue)), ADMIN_TIMEOUT));
                long delayed =
                        sum(layout.waiting(admin, Names.delayForwarderGroup(queue), layout.tiers(), ADMIN_TIMEOUT));
                String refused = grow.isEmpty() || force ? null : refusal(workers, jobs, failures);
                boolean change = !grow.isEmpty() && refused == null && !dryRun;
                if (change) {
                    QueueLayout.grow(admin, grow.keySet(), count, ADMIN_TIMEOUT);
                }
                print(from, grow, keep, jobs, failures, delayed, refused, change);
                return refused == null ? 0 : Jobstream.FAILURE;
            }
        }

        private String refusal(String workers, long jobs, long failures) {
            List<String> inFlight = new ArrayList<>();
            if (jobs > 0) {
                inFlight.add(jobs + " job(s) of " + queue + " not yet finished by group " + workers);
            }
            if (failures > 0) {
                inFlight.add(
                        failures + " failure(s) on " + Topics.failed(queue) + " not yet routed by the dlq-service");
            }
            if (inFlight.isEmpty()) {
                return null;
            }
            return String.join(" and ", inFlight) + ": adding partitions now moves their keys, and later jobs of a key"
                    + " could run before them. Stop the publishers, wait until jobstream lag --queue " + queue
                    + " shows 0, and run this again; or pass --force to accept that order";
        }

        private void print(
                int from,
                Map<String, Integer> grow,
                Map<String, Integer> keep,
                long jobs,
                long failures,
                long delayed,
                String refused,
                boolean changed) {
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.put("queue", queue);
                node.put("from", from);
                node.put("to", count);
                ArrayNode growing = node.putArray("grow");
                grow.forEach((topic, partitions) -> growing.addObject()
                        .put("topic", topic)
                        .put("from", partitions)
                        .put("to", count));
                ArrayNode kept = node.putArray("keep");
                keep.forEach((topic, partitions) ->
                        kept.addObject().put("topic", topic).put("partitions", partitions));
                ObjectNode inFlight = node.putObject("inFlight");
                inFlight.put("jobs", jobs);
                inFlight.put("failures", failures);
                inFlight.put("delayed", delayed);
                if (refused != null) {
                    node.put("refused", refused);
                }
                node.put("changed", changed);
                out.println(node);
            } else {
                out.println("in flight: " + jobs + " job(s) on " + queue + ", " + failures + " failure(s) on "
                        + Topics.failed(queue) + ", " + delayed + " delayed job(s) in the tiers");
                String verb = changed ? "grown    " : "to grow  ";
                grow.forEach((topic, partitions) -> out.println(verb + topic + " " + partitions + " -> " + count));
                keep.forEach((topic, partitions) -> out.println("kept     " + topic + " " + partitions));
                if (grow.isEmpty()) {
                    out.println(queue + " already has " + count + " partitions: nothing to change");
                } else if (dryRun && refused == null) {
                    out.println("dry run: nothing changed");
                }
            }
            if (refused != null) {
                spec.commandLine().getErr().println("jobstream: refused: " + refused);
            }
        }

        private static long sum(Map<String, Long> lags) {
            return lags.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
