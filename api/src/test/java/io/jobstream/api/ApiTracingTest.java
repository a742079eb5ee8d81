package io.jobstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.coordination.Coordination;
import io.jobstream.producer.FakeTopicDirectory;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API's server span per request, continuing the request's {@code traceparent} into the job. */
class ApiTracingTest {
    private static final String TOKEN = "ci-token-0123456789";
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
        http.close();
        sdk.close();
    }

    @Test
    void aPostWithTraceparentIsAServerSpanOfThatTraceAndTheJobContinuesIt() throws Exception {
        // Given the API traced with an SDK, its publisher traced with the same
        URI base = start();

        // When a job is posted with a W3C traceparent header
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/queues/emails/jobs"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .header("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"send_email\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // Then a SERVER span of the header's trace, child of the client's span, with the HTTP attributes
        assertThat(response.statusCode()).isEqualTo(202);
        SpanData server = only("POST /v1/queues/{queue}/jobs");
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(server.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(server.getAttributes().get(Tracing.HTTP_REQUEST_METHOD)).isEqualTo("POST");
        assertThat(server.getAttributes().get(Tracing.HTTP_ROUTE)).isEqualTo("/v1/queues/{queue}/jobs");
        assertThat(server.getAttributes().get(Tracing.HTTP_RESPONSE_STATUS_CODE))
                .isEqualTo(202L);
        // and the publisher's send span is its child, whose context the job carries
        SpanData send = only("send emails");
        assertThat(send.getParentSpanId()).isEqualTo(server.getSpanId());
        ProducerRecord<String, byte[]> record = producer.history().getFirst();
        try (JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject())) {
            Job job = serde.decode(record.topic(), record.headers(), record.value());
            SpanContext carried = Tracing.spanContext(job.getTraceParent().orElseThrow());
            assertThat(carried.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(carried.getSpanId()).isEqualTo(send.getSpanId());
        }
    }

    @Test
    void aPostWithoutTraceparentStartsATraceAndA4xxIsNoError() throws Exception {
        // Given the traced API
        URI base = start();

        // When a job without a type is posted, without traceparent
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/queues/emails/jobs"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // Then it is a root server span with the 400, and nothing was sent
        assertThat(response.statusCode()).isEqualTo(400);
        SpanData server = only("POST /v1/queues/{queue}/jobs");
        assertThat(server.getParentSpanContext().isValid()).isFalse();
        assertThat(server.getAttributes().get(Tracing.HTTP_RESPONSE_STATUS_CODE))
                .isEqualTo(400L);
        assertThat(producer.history()).isEmpty();
    }

    private URI start() {
        AdminServer server = AdminServer.builder()
                .host("127.0.0.1")
                .port(0)
                .bindJvmMetrics(false)
                .http(HttpConfig.defaults(
                        List.of(AccessToken.of("ci", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("emails")))))
                .start();
        open.add(server);
        JobPublisher publisher = new FakeTopicDirectory()
                .with("emails", 3)
                .with("emails.failed", 3)
                .publisher(
                        PublisherConfig.defaults(), producer, server.registry(), Clock.systemUTC(), "broker:9092", sdk);
        open.add(publisher);
        Coordination memory = Coordination.inMemory(Clock.systemUTC());
        open.add(memory);
        IngestApi api = IngestApi.mount(IngestApiConfig.defaults(), publisher, server, memory, sdk);
        open.add(api);
        return api.uri();
    }

    private SpanData only(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name))
                .toList();
        assertThat(named).hasSize(1);
        return named.getFirst();
    }
}
