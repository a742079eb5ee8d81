package io.jobstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.dlq.replay.DeadLetterEntry;
import io.jobstream.dlq.replay.DlqAdminRoutes;
import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayItem;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.replay.ReplaySummary;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.SchemaSettings;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream dlq list|show|replay}: look into a queue's dead letters and replay them. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = "List, show and replay the dead letters of a queue (<queue>.dlq).",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Show.class, DlqCommand.Replay.class})
final class DlqCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, show or replay");
    }

    /** The filters shared by list and replay. */
    static final class Filters {
        @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue.")
        String queue;

        @Option(names = "--type", paramLabel = "TYPE", description = "Only jobs of this type.")
        String type;

        @Option(names = "--reason", paramLabel = "REASON", description = "Only this failure reason, e.g. TIMEOUT.")
        String reason;

        @Option(
                names = "--error-contains",
                paramLabel = "TEXT",
                description = "Only errors whose message contains TEXT.")
        String errorContains;

        @Option(names = "--since", paramLabel = "INSTANT", description = "Dead at or after, e.g. 2026-11-22T09:00:00Z.")
        String since;

        @Option(names = "--until", paramLabel = "INSTANT", description = "Dead before this instant.")
        String until;

        @Option(names = "--id", paramLabel = "JOB_ID", description = "Only these job ids; repeatable.")
        List<String> ids = new ArrayList<>();

        @Option(names = "--limit", paramLabel = "N", description = "At most N dead letters.")
        Integer limit;

        ReplayFilter filter(CommandSpec spec) {
            ReplayFilter filter = ReplayFilter.all(queue);
            if (type != null) {
                filter = filter.withType(type);
            }
            if (reason != null) {
                filter = filter.withReason(reason);
            }
            if (errorContains != null) {
                filter = filter.withErrorContains(errorContains);
            }
            if (since != null) {
                filter = filter.withSince(instant(spec, "--since", since));
            }
            if (until != null) {
                filter = filter.withUntil(instant(spec, "--until", until));
            }
            if (!ids.isEmpty()) {
                filter = filter.withIds(new LinkedHashSet<>(ids));
            }
            if (limit != null) {
                filter = filter.withLimit(limit);
            }
            return filter;
        }

        private static Instant instant(CommandSpec spec, String option, String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        option + " '" + value + "' is not an ISO-8601 instant (2026-11-22T09:00:00Z)");
            }
        }
    }

    static DlqReplay open(KafkaOptions kafka) {
        Config config = kafka.load(SchemaSettings.DEFINITION, Map.of());
        return DlqReplay.create(
                KafkaOptions.reachable(KafkaSettings.from(config)), SchemaSettings.from(config), Clock.systemUTC());
    }

    /** The JSON of one dead letter, with the short names the CLI contract uses. */
    static ObjectNode json(DeadLetterEntry entry) {
        ObjectNode node = DlqAdminRoutes.entryJson(entry);
        node.put("id", entry.jobId());
        node.put("attempts", entry.attempt());
        return node;
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List dead letters (oldest first).",
            footer = {
                "",
                "Examples:",
                "  jobstream dlq list --queue jobs",
                "  jobstream dlq list --queue jobs --type send_email --reason TIMEOUT --json"
            })
    static final class ListLetters implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Mixin
        Filters filters = new Filters();

        @Option(names = "--json", description = "One JSON object per dead letter.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (DlqReplay replay = open(kafka)) {
                List<DeadLetterEntry> entries = replay.list(filters.filter(spec));
                if (json) {
                    entries.forEach(entry -> out.println(json(entry)));
                } else {
                    out.printf(
                            "%-26s  %-16s  %-13s  %8s  %-24s  %s%n",
                            "ID", "TYPE", "REASON", "ATTEMPTS", "DEAD AT", "AT");
                    for (DeadLetterEntry e : entries) {
                        out.printf(
                                "%-26s  %-16s  %-13s  %8d  %-24s  %d/%d%s%n",
                                e.jobId(),
                                e.type(),
                                e.reason(),
                                e.attempt(),
                                e.deadAt(),
                                e.partition(),
                                e.offset(),
                                e.replayed() ? "  (replayed)" : "");
                    }
                    out.println(entries.size() + " dead letter(s) in " + filters.queue + ".dlq");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one dead letter in full (the job, the last error, the failure history).",
            footer = {"", "Example:", "  jobstream dlq show --queue jobs --partition 0 --offset 12"})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue.")
        String queue;

        @Option(names = "--partition", required = true, paramLabel = "P", description = "Partition of <queue>.dlq.")
        int partition;

        @Option(names = "--offset", required = true, paramLabel = "O", description = "Offset in that partition.")
        long offset;

        @Override
        public Integer call() throws Exception {
            try (DlqReplay replay = open(kafka)) {
                Optional<DeadLetterEntry> entry = replay.show(queue, partition, offset);
                if (entry.isEmpty()) {
                    throw new IllegalArgumentException(
                            "no dead letter at " + queue + ".dlq " + partition + "/" + offset);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println(json(entry.get()).toPrettyString());
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = {
                "Republish dead letters to their queue (attempt reset to 1, key and headers kept, header",
                "jobstream.replayed-from set). Each dead letter is replayed once: replayed offsets are recorded in",
                "<queue>.dlq.replayed in the same transaction (--force replays again)."
            },
            footer = {
                "",
                "Examples:",
                "  jobstream dlq replay --queue jobs --type send_email --dry-run",
                "  jobstream dlq replay --queue jobs --reason TIMEOUT --since 2026-11-22T00:00:00Z --rate 100",
                "  jobstream dlq replay --queue jobs --id 01JD2Y8Z3K4M5N6P7Q8R9S0TVW --to-queue jobs-debug --json"
            })
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Mixin
        Filters filters = new Filters();

        @Option(names = "--to-queue", paramLabel = "QUEUE", description = "Republish to this queue instead.")
        String toQueue;

        @Option(names = "--rate", paramLabel = "N", description = "At most N jobs per second.")
        Double rate;

        @Option(names = "--dry-run", description = "Print what would be replayed; write nothing.")
        boolean dryRun;

        @Option(names = "--force", description = "Replay dead letters that were replayed before, too.")
        boolean force;

        @Option(names = "--json", description = "One JSON object per dead letter, then a summary object.")
        boolean json;

        @Override
        public Integer call() {
            ReplayRequest request = ReplayRequest.of(filters.filter(spec));
            if (toQueue != null) {
                request = request.toQueue(toQueue);
            }
            if (rate != null) {
                request = request.rate(rate);
            }
            if (dryRun) {
                request = request.asDryRun();
            }
            if (force) {
                request = request.asForced();
            }
            PrintWriter out = spec.commandLine().getOut();
            ReplaySummary summary;
            try (DlqReplay replay = open(kafka)) {
                ProgressBar[] bar = new ProgressBar[1];
                try {
                    summary = replay.replay(request, (item, done, total) -> {
                        if (!json && !dryRun && total > 20) {
                            if (bar[0] == null) {
                                bar[0] = new ProgressBarBuilder()
                                        .setTaskName("replay " + filters.queue)
                                        .setInitialMax(total)
                                        .setStyle(ProgressBarStyle.ASCII)
                                        .build();
                            }
                            bar[0].stepTo(done);
                        }
                    });
                } finally {
                    if (bar[0] != null) {
                        bar[0].close();
                    }
                }
            }
            for (ReplayItem item : summary.items()) {
                if (json) {
                    ObjectNode line = json(item.entry());
                    line.put("outcome", item.outcome().name());
                    out.println(line);
                } else if (dryRun || summary.items().size() <= 20) {
                    out.println(item.outcome().name().toLowerCase(java.util.Locale.ROOT) + "  "
                            + item.entry().jobId() + "  " + item.entry().type() + "  "
                            + item.entry().reason() + "  " + item.entry().address());
                }
            }
            if (json) {
                ObjectNode line = DlqAdminRoutes.summaryJson(summary);
                line.remove("items");
                out.println(line.put("summary", true));
            } else {
                out.println((dryRun ? "dry run: " : "") + "matched " + summary.matched() + ", replayed "
                        + summary.replayed() + ", skipped " + summary.skipped() + " (already replayed "
                        + summary.alreadyReplayed() + ")");
            }
            out.flush();
            return 0;
        }
    }
}
