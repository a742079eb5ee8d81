package io.jobstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.coordination.Coordination;
import io.jobstream.runtime.Config;
import io.jobstream.runtime.ConfigLoader;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.RuntimeConfig;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * A scheduler that cannot work says so: with a marker topic that is not compacted (its record of fired ticks would
 * expire, and ticks fire twice) the scheduler stops for good, {@code /health} and {@code /ready} answer 503 naming it
 * and the command's exit status is 1.
 */
@JobstreamTest
class SchedulerFailureIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSchedulerWhoseMarkerTopicIsNotCompactedAnswers503AndExitsWith1NamingThePolicy(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue and a marker topic that exists with cleanup.policy=delete
        String queue = topics.create("sched-q", 1);
        String markers = topics.unique("sched-markers");
        kafka.createTopic(markers, 1, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
        Config config = ConfigLoader.forDefinition(SchedulerCommand.DEFINITION.and(KafkaSettings.DEFINITION))
                .withYaml("""
                        jobstream:
                          scheduler:
                            leader-lease: 3s
                            check-interval: 250ms
                            marker-topic: %s
                            schedules:
                              tick: {cron: "@every 1s", queue: %s, type: noop}
                        """.formatted(markers, queue))
                .withOverrides(Map.of(KafkaSettings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers()))
                .load();
        CountDownLatch failed = new CountDownLatch(1);
        ServiceHost host = ServiceHost.start(
                new RuntimeConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(20)), failed::countDown);
        try (Coordination coordination = Coordination.inMemory(Clock.systemUTC());
                HttpClient http = HttpClient.newHttpClient()) {
            // When the scheduler starts on it
            SchedulerCommand.start(config, coordination, host);

            // Then /health and /ready answer 503 naming the scheduler (the whole cause goes to the log and the exit
            // line: the probes need no token)
            await().atMost(WAIT).until(() -> failed.getCount() == 0);
            HttpResponse<String> health = get(http, host, "/health");
            HttpResponse<String> ready = get(http, host, "/ready");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("scheduler stopped");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("scheduler stopped");

            // And the command's exit status is 1, with one line naming the component and why
            StringWriter err = new StringWriter();
            assertThat(host.exitStatus(new PrintWriter(err))).isEqualTo(1);
            assertThat(err.toString().lines())
                    .singleElement()
                    .asString()
                    .startsWith("jobstream: scheduler stopped: ")
                    .contains(markers)
                    .contains("cleanup.policy=delete");
        } finally {
            host.shutdownNow();
        }
    }

    private static HttpResponse<String> get(HttpClient http, ServiceHost host, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(host.adminUrl() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
