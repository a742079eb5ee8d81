package io.jobstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.JobReceipt;
import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.Jobs;
import io.jobstream.producer.PublishOutcome;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigType;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Job;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobstream publish}: publishes jobs through {@link JobPublisher} and prints receipts or a summary. */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = {
            "Publish jobs to a queue. Each is acknowledged by the broker (acks=all) before it is counted.",
            "Up to 10 jobs print one receipt line each; more print a progress bar and a summary."
        },
        footer = {
            "",
            "Examples:",
            "  jobstream publish --queue jobs --type log --payload '{\"hello\":\"world\"}'",
            "  jobstream publish --queue jobs --type sleep --payload '{\"ms\":5}' --count 100000",
            "  jobstream publish --queue jobs --type send_email --payload @email.json --key customer-42 --delay 30s",
            "  jobstream publish --queue jobs --type noop --count 5000 --rate 500 --json"
        })
final class PublishCommand implements Callable<Integer> {
    private static final int BATCH = 5_000;
    private static final int RECEIPT_LINES = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The job type.")
    String type;

    @Option(
            names = "--payload",
            defaultValue = "{}",
            paramLabel = "JSON|@FILE",
            description = "The payload: JSON, or @file to read it from a file (default ${DEFAULT-VALUE}).")
    String payload;

    @Option(names = "--key", paramLabel = "KEY", description = "Ordering key: jobs with one key run one at a time.")
    String key;

    @Option(names = "--delay", paramLabel = "DURATION", description = "Run no earlier than this from now, e.g. 30s.")
    String delay;

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before the job is dead-lettered.")
    Integer maxAttempts;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "How many jobs (default 1).")
    int count;

    @Option(names = "--rate", paramLabel = "N", description = "Jobs per second at most (default: as fast as acked).")
    Double rate;

    @Option(names = "--json", description = "Print one JSON object per receipt, then a JSON summary.")
    boolean json;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        if (rate != null && rate <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rate must be positive");
        }
        String payloadJson = payloadJson();
        Duration delayDuration = delay == null ? null : flagDuration("--delay", delay);
        checkJob(payloadJson, delayDuration);
        Config config = kafka.load(PublisherConfig.DEFINITION, Map.of());
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        int published = 0;
        List<String> failures = new ArrayList<>();
        try (JobPublisher publisher = JobPublisher.create(
                        PublisherConfig.from(config), KafkaOptions.reachable(KafkaSettings.from(config)));
                ProgressBar bar = progressBar()) {
            int sent = 0;
            while (sent < count) {
                int size = rate == null ? Math.min(BATCH, count - sent) : 1;
                pace(started, sent);
                List<Job> jobs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    jobs.add(job(payloadJson, delayDuration));
                }
                List<PublishOutcome> outcomes =
                        publisher.publishAll(queue, jobs).get();
                for (PublishOutcome outcome : outcomes) {
                    switch (outcome) {
                        case PublishOutcome.Published p -> {
                            published++;
                            printReceipt(out, p.receipt());
                        }
                        case PublishOutcome.Rejected r ->
                            failures.add(r.jobId() + ": " + r.error().getMessage());
                        case PublishOutcome.Failed f ->
                            failures.add(f.jobId() + ": " + f.error().getMessage());
                    }
                }
                sent += size;
                if (bar != null) {
                    bar.stepTo(sent);
                }
            }
        }
        printSummary(out, published, failures, System.nanoTime() - started);
        return failures.isEmpty() ? 0 : Jobstream.FAILURE;
    }

    private Job job(String payloadJson, Duration delayDuration) {
        Jobs.Builder builder = Jobs.builder(type).jsonPayload(payloadJson);
        if (key != null) {
            builder.orderingKey(key);
        }
        if (delayDuration != null) {
            builder.delay(delayDuration);
        }
        if (maxAttempts != null) {
            builder.maxAttempts(maxAttempts);
        }
        return builder.build();
    }

    /**
     * Builds one job before connecting, so a type, key or delay the publisher would refuse (too long, control
     * characters, past year 9999) is a usage error naming the flag, not one failure per job.
     */
    private void checkJob(String payloadJson, Duration delayDuration) {
        try {
            job(payloadJson, delayDuration);
        } catch (JobRejectedException | IllegalArgumentException e) {
            String message = e.getMessage();
            String flag = message.contains("'orderingKey'")
                    ? "--key"
                    : message.contains("'delay'")
                            ? "--delay"
                            : message.contains("maxAttempts") ? "--max-attempts" : "--type";
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), flag + ": " + message);
        }
    }

    /** {@code value} as a duration, or a usage error naming {@code flag}. */
    private Duration flagDuration(String flag, String value) {
        try {
            return ConfigType.DURATION.parse(value);
        } catch (RuntimeException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    String payloadJson() throws IOException {
        String text = payload;
        if (payload.startsWith("@")) {
            Path file = Path.of(payload.substring(1));
            if (!Files.isReadable(file)) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--payload: cannot read the file " + file);
            }
            text = Files.readString(file);
        }
        try {
            mapper.readTree(text);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--payload is not valid JSON: " + e.getOriginalMessage());
        }
        return text;
    }

    private void pace(long started, int sent) throws InterruptedException {
        if (rate == null) {
            return;
        }
        long due = started + (long) (sent * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private ProgressBar progressBar() {
        if (json || count <= RECEIPT_LINES) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName("publish " + queue)
                .setInitialMax(count)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" jobs", 1)
                .showSpeed()
                .continuousUpdate()
                .build();
    }

    private void printReceipt(PrintWriter out, JobReceipt receipt) {
        if (json) {
            ObjectNode line = mapper.createObjectNode()
                    .put("id", receipt.jobId())
                    .put("queue", receipt.queue())
                    .put("topic", receipt.topic())
                    .put("partition", receipt.partition())
                    .put("offset", receipt.offset());
            receipt.delayTier().ifPresent(tier -> line.put("delayTier", tier.toString()));
            out.println(line);
        } else if (count <= RECEIPT_LINES) {
            out.println("published id=" + receipt.jobId() + " topic=" + receipt.topic() + " partition="
                    + receipt.partition() + " offset=" + receipt.offset());
        }
    }

    private void printSummary(PrintWriter out, int published, List<String> failures, long nanos) {
        double seconds = nanos / 1e9;
        if (json) {
            out.println(mapper.createObjectNode()
                    .put("summary", true)
                    .put("queue", queue)
                    .put("published", published)
                    .put("failed", failures.size())
                    .put("seconds", Math.round(seconds * 1000) / 1000.0));
        } else if (count > RECEIPT_LINES || !failures.isEmpty()) {
            out.printf(
                    "published %d of %d jobs to %s in %.1fs (%.0f jobs/s)%s%n",
                    published,
                    count,
                    queue,
                    seconds,
                    published / Math.max(seconds, 1e-9),
                    failures.isEmpty() ? "" : "; " + failures.size() + " failed");
        }
        failures.stream().limit(5).forEach(f -> spec.commandLine().getErr().println("failed " + f));
        out.flush();
    }
}
