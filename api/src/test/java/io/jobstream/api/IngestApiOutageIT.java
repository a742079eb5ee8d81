package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobstream.producer.Kafka;
import io.jobstream.producer.QueueTopics;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.Ulid;
import io.jobstream.testkit.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The API while its only broker is down: never a 2xx for a job Kafka did not acknowledge. */
class IngestApiOutageIT {
    /** Small client timeouts so failures surface quickly; delivery.timeout.ms >= linger.ms + request.timeout.ms. */
    private static final Map<String, String> FAST_FAILURE = Map.of(
            "delivery.timeout.ms", "4000",
            "request.timeout.ms", "2000",
            "max.block.ms", "4000",
            "reconnect.backoff.max.ms", "500",
            "socket.connection.setup.timeout.ms", "1000",
            "socket.connection.setup.timeout.max.ms", "1000");

    @Test
    void answers503WhileTheBrokerIsStoppedAndARetryWithTheSameKeyPublishesOnce() throws Exception {
        try (KafkaCluster kafka =
                        KafkaCluster.builder().name("api-outage").build().start();
                HttpClient http = HttpClient.newHttpClient()) {
            // Given a queue, the API, and one job already accepted
            String queue = "orders";
            QueueTopics.using(kafka.admin()).create(queue, 1, 1);
            try (IngestApi api = IngestApiIT.start(kafka, queue, FAST_FAILURE, Duration.ofSeconds(20))) {
                HttpRequest warm = IngestApiIT.post(api, "/v1/queues/" + queue + "/jobs", "{\"type\":\"t\"}")
                        .build();
                assertThat(http.send(warm, HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(202);

                // When the only broker stops and a job is posted with an Idempotency-Key
                kafka.stop(1);
                HttpRequest keyed = IngestApiIT.post(api, "/v1/queues/" + queue + "/jobs", "{\"type\":\"t\"}")
                        .header("Idempotency-Key", "order-7")
                        .build();
                HttpResponse<String> during = http.send(keyed, HttpResponse.BodyHandlers.ofString());

                // Then it is answered 503 with Retry-After, naming no broker (issue 17 §4), and /ready says not ready
                assertThat(during.statusCode()).isEqualTo(503);
                assertThat(during.headers().firstValue("Retry-After")).isPresent();
                assertThat(new ObjectMapper()
                                .readTree(during.body())
                                .get("error")
                                .asText())
                        .isEqualTo("BROKER_UNAVAILABLE");
                assertThat(during.body()).doesNotContain(kafka.address(1)).doesNotContain("Exception");
                HttpResponse<String> ready = http.send(
                        HttpRequest.newBuilder(URI.create(api.uri() + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);

                // When the broker is back and the client retries with the same key
                kafka.restart(1);
                HttpResponse<String> retry = http.send(keyed, HttpResponse.BodyHandlers.ofString());

                // Then it is accepted with the key's id, and the topic holds that job exactly once
                assertThat(retry.statusCode()).isEqualTo(202);
                String id = Ulid.fromName(queue + "/it/order-7"); // per token and queue (issue 17)
                assertThat(retry.body()).contains(id);
                List<String> ids = Kafka.readAll(kafka.bootstrapServers(), queue, 2).stream()
                        .map(Kafka::decode)
                        .map(Job::getId)
                        .toList();
                assertThat(ids).hasSize(2).containsOnlyOnce(id);
            }
        }
    }

    @Test
    void everyAcceptedJobIsInTheTopicWhenTheBrokerIsKilledUnderLoad() throws Exception {
        try (KafkaCluster kafka =
                        KafkaCluster.builder().name("api-kill").build().start();
                HttpClient http = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()) {
            // Given a queue and the API, with 8 clients posting jobs continuously
            String queue = "load";
            QueueTopics.using(kafka.admin()).create(queue, 3, 1);
            ObjectMapper json = new ObjectMapper();
            Queue<JsonNode> accepted = new ConcurrentLinkedQueue<>();
            Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            try (IngestApi api = IngestApiIT.start(kafka, queue, FAST_FAILURE, Duration.ofSeconds(10));
                    ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                HttpRequest request = IngestApiIT.post(api, "/v1/queues/" + queue + "/jobs", "{\"type\":\"t\"}")
                        .build();
                for (int c = 0; c < 8; c++) {
                    clients.submit(() -> {
                        while (!stop.get()) {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            statuses.add(response.statusCode());
                            if (response.statusCode() == 202) {
                                accepted.add(json.readTree(response.body()));
                            }
                        }
                        return null;
                    });
                }
                try {
                    Awaitility.await("jobs accepted")
                            .atMost(Duration.ofSeconds(60))
                            .until(() -> accepted.size() >= 50);

                    // When the only broker is killed, and started again once requests fail
                    kafka.kill(1);
                    Awaitility.await("a request refused")
                            .atMost(Duration.ofSeconds(60))
                            .until(() -> statuses.contains(503));
                    int beforeRestart = accepted.size();
                    kafka.restart(1);
                    Awaitility.await("jobs accepted after the restart")
                            .atMost(Duration.ofSeconds(90))
                            .until(() -> accepted.size() >= beforeRestart + 50);
                } finally {
                    stop.set(true); // ends the clients, so that closing their executor does not wait forever
                }
            }

            // Then every answer was 202 or 503, and every 202's job is in the topic at its receipt's position
            assertThat(statuses).containsOnly(202, 503);
            Map<String, String> stored = Kafka.readAll(kafka.bootstrapServers(), queue, accepted.size()).stream()
                    .collect(Collectors.toMap(
                            record -> record.partition() + "/" + record.offset(),
                            record -> Kafka.decode(record).getId(),
                            (a, b) -> a,
                            HashMap::new));
            for (JsonNode receipt : accepted) {
                assertThat(stored.get(receipt.get("partition").asInt() + "/"
                                + receipt.get("offset").asLong()))
                        .as(
                                "record at the position of accepted job %s",
                                receipt.get("id").asText())
                        .isEqualTo(receipt.get("id").asText());
            }
            System.out.printf(
                    "api kill under load: accepted=%d refused=%d stored=%d%n",
                    accepted.size(), statuses.stream().filter(s -> s == 503).count(), stored.size());
        }
    }
}
