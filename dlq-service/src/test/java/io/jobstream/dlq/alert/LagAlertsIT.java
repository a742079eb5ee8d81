package io.jobstream.dlq.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobstream.dlq.DlqService;
import io.jobstream.dlq.DlqServiceConfig;
import io.jobstream.dlq.ItKafka;
import io.jobstream.dlq.alert.RecordingServer.Request;
import io.jobstream.dlq.lag.LagListener;
import io.jobstream.dlq.lag.LagMonitor;
import io.jobstream.dlq.lag.LagMonitorConfig;
import io.jobstream.dlq.lag.LagStatus;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lag alerts end to end: a real broker, the lag monitor feeding {@link DlqService#lagAlerts()}, and local HTTP
 * servers standing in for Slack and a JSON webhook, on the real clock.
 */
@JobstreamTest
class LagAlertsIT {
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int WINDOW = 4;
    /** Longer than resuming and draining take, so a status passing through on the way back to OK is coalesced. */
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaCluster kafka, String group, String topic) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Polls and commits until {@code count} records were read. */
    private static void consume(KafkaCluster kafka, String group, String topic, int count) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, group, topic);
        try {
            AtomicInteger read = new AtomicInteger();
            await().atMost(WAIT).until(() -> {
                int got = consumer.poll(Duration.ofMillis(100)).count();
                if (got > 0) {
                    consumer.commitSync();
                }
                return read.addAndGet(got) >= count;
            });
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private static void publish(KafkaCluster kafka, String topic, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, ("k" + i).getBytes(), new byte[16]));
        }
        ItKafka.sendAll(kafka, records);
    }

    @Test
    void aStoppedGroupIsAlertedOnceAndItsRecoveryOnceOnSlackAndTheWebhook(KafkaCluster kafka, TestTopics topics)
            throws Exception {
        // Given a queue whose workers group read and committed 20 jobs, then stopped
        String queue = topics.unique("lag-alerts");
        String group = queue + ".workers";
        ItKafka.createQueueTopics(kafka, queue, DelayTiers.defaults());
        publish(kafka, queue, 20);
        consume(kafka, group, queue, 20);
        // And the dlq-service alerting to Slack and a webhook, a lag monitor feeding its lag alerts
        List<LagListener.Change> changes = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RecordingServer slack = new RecordingServer(Clock.systemUTC());
                RecordingServer webhook = new RecordingServer(Clock.systemUTC());
                DlqService service = DlqService.builder(
                                DlqServiceConfig.builder(List.of(queue))
                                        .stateDir(stateDir)
                                        .build(),
                                KafkaSettings.builder()
                                        .bootstrapServers(kafka.bootstrapServers())
                                        .build())
                        .registry(registry)
                        .alerts(AlertConfig.builder()
                                .slackWebhook(slack.uri())
                                .webhook(webhook.uri())
                                .lagAlerts(true)
                                .lagMinInterval(MIN_INTERVAL)
                                .build())
                        .build()
                        .start();
                LagMonitor monitor = LagMonitor.create(
                        LagMonitorConfig.builder()
                                .interval(INTERVAL)
                                .window(WINDOW)
                                .groupPattern(Pattern.quote(group))
                                .build(),
                        kafka.admin(),
                        registry,
                        Clock.systemUTC())) {
            monitor.addListener(service.lagAlerts());
            monitor.addListener(changes::add);
            monitor.start();
            await().atMost(WAIT).until(() -> monitor.snapshot()
                    .flatMap(s -> s.group(group))
                    .filter(g -> !g.partitions().isEmpty())
                    .isPresent());

            // When 5,000 jobs are published while no worker runs
            publish(kafka, queue, 5_000);

            // Then Slack and the webhook each get exactly one alert: the group turned STOP, 5,000 behind
            await().atMost(WAIT)
                    .until(() ->
                            slack.delivered().size() == 1 && webhook.delivered().size() == 1);
            JsonNode stopped = webhook.delivered().getFirst().json();
            assertThat(stopped.path("kind").asText()).isEqualTo("LAG_STATUS");
            assertThat(stopped.path("group").asText()).isEqualTo(group);
            assertThat(stopped.path("previous").asText()).isEqualTo("OK");
            assertThat(stopped.path("status").asText()).isEqualTo("STOP");
            assertThat(stopped.path("lag").asLong()).isEqualTo(5_000);
            assertThat(stopped.path("lagSeconds").asDouble()).isPositive();
            assertThat(stopped.path("topics").get(0).asText()).isEqualTo(queue);
            assertThat(stopped.path("command").asText()).isEqualTo("jobstream lag --group " + group);
            assertThat(slack.delivered().getFirst().json().path("text").asText())
                    .startsWith("Lag STOP: " + group + " (was OK), 5000 records");

            // When the workers come back and drain the queue
            consume(kafka, group, queue, 5_000);

            // Then each gets exactly one more alert, the recovery to OK, and nothing after it
            await().atMost(WAIT)
                    .until(() ->
                            slack.delivered().size() == 2 && webhook.delivered().size() == 2);
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() ->
                            slack.requests().size() == 2 && webhook.requests().size() == 2);
            JsonNode recovered = webhook.delivered().getLast().json();
            assertThat(recovered.path("previous").asText()).isEqualTo("STOP");
            assertThat(recovered.path("status").asText()).isEqualTo("OK");
            // (its lag is the one of the sample that saw OK: committing again, so already below 5,000)
            assertThat(recovered.path("lag").asLong()).isLessThan(5_000);
            assertThat(slack.delivered().getLast().json().path("text").asText())
                    .isEqualTo("Lag recovered: " + group + " is OK (was STOP)");
            List<Request> posts = slack.delivered(); // (1 s of slack for the two posts' own latencies)
            assertThat(posts.get(1).at())
                    .isAfter(posts.get(0).at().plus(MIN_INTERVAL).minusSeconds(1));
            // And the monitor saw the group go bad and come back (any status in between was coalesced)
            assertThat(changes.getFirst().current()).isEqualTo(LagStatus.STOP);
            assertThat(changes.getLast().current()).isEqualTo(LagStatus.OK);
            assertThat(registry.get("jobstream.alerts.sent")
                            .tag("sink", "slack")
                            .counter()
                            .count())
                    .isEqualTo(2);
        }
    }
}
