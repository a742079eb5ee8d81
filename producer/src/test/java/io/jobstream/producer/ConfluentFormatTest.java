package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jobstream.producer.internal.LeastLoaded;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SchemaRegistryConfig;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Confluent wire format, against a minimal in-process schema registry (register, fetch by id). */
class ConfluentFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private HttpServer registry;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/subjects/", exchange -> {
            String schema =
                    JSON.readTree(exchange.getRequestBody()).get("schema").asText();
            int id = schemas.entrySet().stream()
                    .filter(e -> e.getValue().equals(schema))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElseGet(() -> {
                        int fresh = nextId.getAndIncrement();
                        schemas.put(fresh, schema);
                        return fresh;
                    });
            respond(exchange, JSON.createObjectNode().put("id", id).toString());
        });
        registry.createContext("/schemas/ids/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            respond(
                    exchange,
                    JSON.createObjectNode().put("schema", schemas.get(id)).toString());
        });
        registry.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.stop(0);
    }

    @Test
    void writesTheConfluentWireFormatWhenConfigured() {
        // Given a publisher configured for the Confluent format
        SchemaRegistryConfig registryConfig = SchemaRegistryConfig.of(
                "http://127.0.0.1:" + registry.getAddress().getPort());
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        Job job = Jobs.builder("send_email")
                .jsonPayload("{\"to\":\"a@example.com\"}")
                .build();

        // When a job is published
        try (JobPublisher publisher = new JobPublisher(
                PublisherConfig.builder()
                        .serde(SerdeConfig.confluent(registryConfig))
                        .build(),
                producer,
                new FakeTopicDirectory().with("emails", 1),
                new LeastLoaded(),
                new SimpleMeterRegistry(),
                Clock.systemUTC(),
                "localhost:9092",
                List.of())) {
            publisher.publishSync("emails", job);
        }

        // Then the value starts with magic byte 0 and the registered id, and decodes through the registry
        ProducerRecord<String, byte[]> sent = producer.history().getFirst();
        assertThat(sent.value()[0]).isZero();
        assertThat(schemas).hasSize(1);
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject(registryConfig))) {
            assertThat(serde.decode(sent.topic(), sent.headers(), sent.value())).isEqualTo(job);
        }
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
