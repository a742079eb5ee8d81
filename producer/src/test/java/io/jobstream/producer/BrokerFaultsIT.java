package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.schemas.Job;
import io.jobstream.testkit.KafkaCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Publishing while brokers are unreachable or die. Each test uses its own cluster (never the shared one). */
class BrokerFaultsIT {
    /** Small client timeouts so failures surface quickly; delivery.timeout.ms >= linger.ms + request.timeout.ms. */
    private static final Map<String, String> FAST_FAILURE = Map.of(
            "delivery.timeout.ms", "4000",
            "request.timeout.ms", "2000",
            "max.block.ms", "4000",
            "reconnect.backoff.max.ms", "500",
            "socket.connection.setup.timeout.ms", "1000",
            "socket.connection.setup.timeout.max.ms", "1000");

    @Test
    void failsNamingTheBootstrapServersWhenNoBrokerListens() throws Exception {
        // Given bootstrap servers where nothing listens
        String nowhere = "127.0.0.1:" + closedPort();
        var settings = io.jobstream.runtime.KafkaSettings.builder()
                .bootstrapServers(nowhere)
                .properties(FAST_FAILURE)
                .build();
        PublisherConfig config =
                PublisherConfig.builder().metadataTimeout(Duration.ofSeconds(2)).build();

        // When a job is published
        try (JobPublisher publisher = JobPublisher.create(config, settings)) {
            CompletableFuture<JobReceipt> future =
                    publisher.publish("jobs", Jobs.builder("t").build());

            // Then the future fails, naming the bootstrap servers, and is retriable
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(future::isDone);
            assertThat(future)
                    .failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(PublishFailedException.class)
                    .withMessageContaining(nowhere)
                    .satisfies(e -> assertThat(((PublishFailedException) e).isRetriable())
                            .isTrue());
        }
    }

    @Test
    void failsNamingTheBootstrapServersWhenTheBrokerStopsAfterTheQueueIsKnown() throws Exception {
        try (KafkaCluster kafka =
                KafkaCluster.builder().name("producer-stop").build().start()) {
            // Given a publisher that already published to the queue
            String queue = "jobs";
            QueueTopics.using(kafka.admin()).create(queue, 1, 1);
            String bootstrap = kafka.bootstrapServers();
            try (JobPublisher publisher =
                    JobPublisher.create(PublisherConfig.defaults(), Kafka.settings(kafka, FAST_FAILURE))) {
                publisher.publishSync(queue, Jobs.builder("t").build());

                // When the only broker stops and another job is published
                kafka.stop(1);
                CompletableFuture<JobReceipt> future =
                        publisher.publish(queue, Jobs.builder("t").build());

                // Then the future fails within the delivery timeout, naming the bootstrap servers
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(future::isDone);
                assertThat(future)
                        .failsWithin(Duration.ZERO)
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause()
                        .isInstanceOf(PublishFailedException.class)
                        .withMessageContaining(bootstrap)
                        .withMessageContaining("topic " + queue);
            }
        }
    }

    @Test
    void everyAcknowledgedJobOfABatchSurvivesABrokerKillAndEveryOtherIsReportedFailed() throws Exception {
        try (KafkaCluster kafka =
                KafkaCluster.builder().name("producer-kill").build().start()) {
            // Given a queue and a publisher that waits long enough for a restart
            String queue = "jobs";
            QueueTopics.using(kafka.admin()).create(queue, 3, 1);
            Map<String, String> properties = new HashMap<>(FAST_FAILURE);
            properties.put("delivery.timeout.ms", "20000");
            properties.put("max.block.ms", "20000");
            List<Job> first = jobs(50_000);
            List<Job> second = jobs(50_000);
            List<PublishOutcome> outcomes = new ArrayList<>();

            try (JobPublisher publisher =
                    JobPublisher.create(PublisherConfig.defaults(), Kafka.settings(kafka, properties))) {
                // When the broker is killed while a batch is in flight, another batch is published from another
                // thread during the outage, and the broker is started again only once publishing has failed
                CompletableFuture<List<PublishOutcome>> inFlight = publisher.publishAll(queue, first);
                kafka.kill(1);
                CompletableFuture<List<PublishOutcome>> duringOutage = CompletableFuture.supplyAsync(
                                () -> publisher.publishAll(queue, second))
                        .thenCompose(batch -> batch);
                CompletableFuture<JobReceipt> probe = CompletableFuture.supplyAsync(() ->
                                publisher.publish(queue, Jobs.builder("probe").build()))
                        .thenCompose(future -> future);
                Awaitility.await("a publish fails during the outage")
                        .atMost(Duration.ofSeconds(90))
                        .until(probe::isCompletedExceptionally);
                kafka.restart(1);
                outcomes.addAll(inFlight.get(2, TimeUnit.MINUTES));
                outcomes.addAll(duringOutage.get(2, TimeUnit.MINUTES));
            }

            // Then every job has exactly one outcome; only acknowledged and failed ones, none rejected
            assertThat(outcomes).hasSize(100_000);
            assertThat(outcomes)
                    .allMatch(o -> o instanceof PublishOutcome.Published || o instanceof PublishOutcome.Failed);
            List<JobReceipt> receipts = outcomes.stream()
                    .filter(PublishOutcome::isPublished)
                    .map(o -> ((PublishOutcome.Published) o).receipt())
                    .toList();
            // And every acknowledged job is in the topic at its receipt's position
            Map<String, String> stored = Kafka.readAll(kafka.bootstrapServers(), queue, receipts.size()).stream()
                    .collect(Collectors.toMap(
                            record -> record.partition() + "/" + record.offset(),
                            record -> Kafka.decode(record).getId()));
            for (JobReceipt receipt : receipts) {
                assertThat(stored.get(receipt.partition() + "/" + receipt.offset()))
                        .as("record at the position of acknowledged job %s", receipt.jobId())
                        .isEqualTo(receipt.jobId());
            }
            // And no job is stored twice (idempotent producer)
            assertThat(stored.values()).doesNotHaveDuplicates();
            // And jobs not acknowledged during the outage are reported as failed, naming the bootstrap servers
            assertThat(outcomes.size() - receipts.size()).isPositive();
            outcomes.stream()
                    .filter(o -> o instanceof PublishOutcome.Failed)
                    .map(o -> ((PublishOutcome.Failed) o).error().getMessage())
                    .forEach(message -> assertThat(message).contains(kafka.address(1)));
            System.out.printf(
                    "kill during batch: acknowledged=%d failed=%d stored=%d%n",
                    receipts.size(), outcomes.size() - receipts.size(), stored.size());
        }
    }

    private static List<Job> jobs(int count) {
        List<Job> jobs = new ArrayList<>(count);
        byte[] payload = new byte[200];
        for (int i = 0; i < count; i++) {
            jobs.add(Jobs.builder("bulk").payload(payload).build());
        }
        return jobs;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
