package io.jobstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The example of the README, against a real broker. */
@JobstreamTest
class ReadmeExampleIT {

    record EmailPayload(String to, String subject) {}

    @Test
    void theReadmeExampleRunsJobsPublishedAsJsonEnvelopes(KafkaCluster cluster, TestTopics topics) throws Exception {
        // Given a queue, its failed topic, and two jobs published as JSON envelopes (as with kcat)
        String queue = topics.create("emails", 3);
        cluster.createTopic(Topics.failed(queue), 1, 1);
        cluster.createTopic(Topics.events(queue), 1, 1);
        Map<String, Object> props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(
                    queue,
                    null,
                    "{\"type\":\"send_email\",\"payload\":{\"to\":\"a@b.c\",\"subject\":\"hi\"}}"
                            .getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(
                    queue,
                    null,
                    "{\"type\":\"archive\",\"id\":\"job-1\",\"payload\":[1,2,3]}".getBytes(StandardCharsets.UTF_8)));
        }
        List<String> mailer = new CopyOnWriteArrayList<>();
        Map<String, byte[]> store = new ConcurrentHashMap<>();

        // When the README's processor runs
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(cluster.bootstrapServers())
                .build();
        ProcessorConfig config = ProcessorConfig.builder(queue, kafka)
                .concurrency(200)
                .typeTimeout("send_email", Duration.ofSeconds(30))
                .build();

        JobProcessor processor = JobProcessor.builder(config)
                .handle(
                        "send_email",
                        EmailPayload.class,
                        (ctx, email) -> mailer.add(email.to() + ":" + email.subject()))
                .handle("archive", (ctx, bytes) -> store.put(ctx.id(), bytes))
                .build()
                .start();
        try {
            // Then both jobs ran
            await().atMost(Duration.ofSeconds(60)).until(() -> mailer.size() == 1 && store.size() == 1);
            assertThat(mailer).containsExactly("a@b.c:hi");
            assertThat(store).containsOnlyKeys("job-1");
            assertThat(new String(store.get("job-1"), StandardCharsets.UTF_8)).isEqualTo("[1,2,3]");
        } finally {
            processor.close(Duration.ofSeconds(30));
        }
        assertThat(processor.isRunning()).isFalse();
    }
}
