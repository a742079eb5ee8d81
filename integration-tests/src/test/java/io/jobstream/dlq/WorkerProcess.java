package io.jobstream.dlq;

import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.runtime.KafkaSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A worker (the real {@link JobProcessor}, default settings) in a JVM of its own, for tests that SIGKILL it: {@code
 * main(bootstrap, queue, runsTopic, workerId)}. Its one handler, type {@value #TYPE}, records every run to {@code
 * runsTopic} (acknowledged before it goes on) and then fails while the attempt is at most the job header {@value
 * #FAILS} (an integer), else succeeds. A run record's value is {@code <job id>\t<attempt>\t<failure history>}: the
 * failure history the router wrote into the job tells the lineage apart (a re-run of the same attempt carries the
 * same history, a forked copy another one). Halts when its stdin closes (so it never outlives the test JVM).
 */
public final class WorkerProcess {
    /** The job type the worker handles (the retry policy of {@link DlqServiceProcess} for it). */
    static final String TYPE = "retry";
    /** The job header holding how many attempts fail before one succeeds. */
    static final String FAILS = "fails";
    /** The job header the router keeps the failure history under. */
    static final String HISTORY = "jobstream.failure-history";

    private WorkerProcess() {}

    public static void main(String[] args) {
        String bootstrap = args[0];
        String queue = args[1];
        String runsTopic = args[2];
        String workerId = args[3];
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for EOF: the parent closed stdin or died
                }
            } catch (IOException e) {
                // the parent is gone either way
            }
            Runtime.getRuntime().halt(3);
        });
        KafkaProducer<byte[], byte[]> runs = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class));
        ProcessorConfig config = ProcessorConfig.builder(
                        queue,
                        KafkaSettings.builder().bootstrapServers(bootstrap).build())
                .workerId(workerId)
                .build();
        JobProcessor.builder(config)
                .handle(TYPE, (ctx, payload) -> {
                    String run = ctx.id() + "\t" + ctx.attempt() + "\t"
                            + ctx.headers().getOrDefault(HISTORY, "");
                    runs.send(new ProducerRecord<>(runsTopic, run.getBytes(StandardCharsets.UTF_8)))
                            .get();
                    if (ctx.attempt() <= Integer.parseInt(ctx.headers().getOrDefault(FAILS, "0"))) {
                        throw new IllegalStateException("planned failure of attempt " + ctx.attempt());
                    }
                })
                .build()
                .start();
        System.out.println("STARTED");
        System.out.flush();
    }
}
