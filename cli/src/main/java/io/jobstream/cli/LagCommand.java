package io.jobstream.cli;

import io.jobstream.dlq.lag.GroupLag;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.dlq.lag.LagMonitorConfig;
import io.jobstream.dlq.lag.LagSnapshot;
import io.jobstream.dlq.lag.PartitionLag;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.KafkaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jobstream lag}: consumer lag per partition in offsets and seconds, with a Burrow-style status. Statuses and
 * lag seconds need a history of samples: the command samples {@code --samples} times, {@code --interval} apart, and
 * prints the last; {@code --watch} keeps sampling and printing until Ctrl-C.
 */
@Command(
        name = "lag",
        mixinStandardHelpOptions = true,
        description = {
            "Consumer lag of the <queue>.workers groups (and the dlq-service's routers): per partition the",
            "committed and end offsets (read_committed), lag, lag in seconds (the oldest waiting job's age, from",
            "its record: FROM=record; interpolated when it cannot be read: FROM=estimate), and status (OK, WARN,",
            "STALL, STOP, REWIND, ERR). Status is judged over several samples (--samples, --interval)."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream lag",
            "  jobstream lag --queue jobs --json",
            "  jobstream lag --group jobs.workers --watch --interval 5s"
        })
final class LagCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--group", paramLabel = "GROUP", description = "Only this consumer group (any name).")
    String group;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only partitions of this queue (topic).")
    String queue;

    @Option(names = "--json", description = "One JSON object per partition.")
    boolean json;

    @Option(names = "--watch", description = "Keep sampling and printing every --interval until Ctrl-C.")
    boolean watch;

    @Option(
            names = "--samples",
            defaultValue = "3",
            paramLabel = "N",
            description = "Samples taken before printing (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(
            names = "--interval",
            defaultValue = "1s",
            paramLabel = "DURATION",
            description = "Time between samples (default ${DEFAULT-VALUE}).")
    String interval;

    @Override
    public Integer call() throws InterruptedException {
        if (samples < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--samples must be at least 1");
        }
        Duration every = io.jobstream.runtime.ConfigType.DURATION.parse(interval);
        Config config = kafka.load(LagMonitorConfig.DEFINITION, Map.of());
        LagMonitorConfig monitorConfig = LagMonitorConfig.from(config).toBuilder()
                .interval(every)
                .window(Math.max(2, samples))
                .build();
        if (group != null) {
            monitorConfig = monitorConfig.toBuilder()
                    .groupPattern(Pattern.quote(group))
                    .groups(List.of(group))
                    .build();
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaSettings settings = KafkaOptions.reachable(KafkaSettings.from(config));
        try (Admin admin = Admin.create(settings.adminProperties());
                LagMonitor monitor = LagMonitor.create(
                        monitorConfig, admin, settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
            LagSnapshot snapshot = monitor.sampleNow();
            for (int i = 1; i < samples; i++) {
                Thread.sleep(every.toMillis());
                snapshot = monitor.sampleNow();
            }
            print(out, filter(snapshot));
            while (watch) {
                Thread.sleep(every.toMillis());
                print(out, filter(monitor.sampleNow()));
            }
        }
        return 0;
    }

    private LagSnapshot filter(LagSnapshot snapshot) {
        if (queue == null) {
            return snapshot;
        }
        List<GroupLag> groups = snapshot.groups().stream()
                .map(g -> new GroupLag(
                        g.group(),
                        g.state(),
                        g.members(),
                        g.status(),
                        g.error(),
                        g.partitions().stream()
                                .filter((PartitionLag p) -> p.topic().equals(queue))
                                .toList()))
                .filter(g -> !g.partitions().isEmpty() || g.error().isPresent())
                .toList();
        return new LagSnapshot(snapshot.takenAt(), groups);
    }

    private void print(PrintWriter out, LagSnapshot snapshot) {
        String text = json ? snapshot.toJsonLines() : snapshot.toTable();
        out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        if (!json && snapshot.groups().isEmpty()) {
            out.println("no consumer groups to show");
        }
        out.flush();
    }
}
