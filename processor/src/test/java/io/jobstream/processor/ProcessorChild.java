package io.jobstream.processor;

import io.jobstream.runtime.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A processor in a JVM of its own, for tests that kill it with SIGKILL. Arguments: bootstrap servers, queue, and the
 * topic each run is recorded to (value {@code <type>:<job id>}, acknowledged before the handler returns). Jobs of type
 * {@code block} are recorded and then block forever. The process halts when its stdin closes (the test JVM died).
 */
public final class ProcessorChild {
    private ProcessorChild() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String queue = args[1];
        String runsTopic = args[2];
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
            } catch (java.io.IOException e) {
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
                .commitInterval(Duration.ofMillis(100))
                .concurrency(20)
                .workerId("child")
                .build();
        JobProcessor.builder(config)
                .handle("work", (ctx, bytes) -> record(runs, runsTopic, "work:" + ctx.id()))
                .handle("block", (ctx, bytes) -> {
                    record(runs, runsTopic, "block:" + ctx.id());
                    new CountDownLatch(1).await();
                })
                .build()
                .start();
        System.out.println("started");
    }

    private static void record(KafkaProducer<byte[], byte[]> runs, String topic, String value) throws Exception {
        runs.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)))
                .get();
    }
}
