package io.jobstream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.producer.internal.LeastLoaded;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.SerdeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publisher's {@code send <queue>} span and the job's {@code traceParent}, against a {@link MockProducer}. */
class JobPublisherTracingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String HAND_SET = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final FakeTopicDirectory topics = new FakeTopicDirectory().with("emails", 3);
    private final JobSerde<Job> serde = JobSerde.forJob(SerdeConfig.singleObject());

    @AfterEach
    void close() {
        sdk.close();
        serde.close();
    }

    @Test
    void aPublishIsAProducerSpanWhoseContextTheJobCarries() {
        // Given a traced publisher and a current span (the caller's, e.g. an HTTP request)
        Span caller = sdk.getTracer("test").spanBuilder("caller").startSpan();
        JobPublisher publisher = publisher(sdk);
        Job job = job();

        // When a job without traceParent is published inside it
        JobReceipt receipt;
        try (Scope ignored = caller.makeCurrent()) {
            receipt = publisher.publishSync("emails", job);
        }
        caller.end();
        publisher.close();

        // Then one PRODUCER span "send emails", child of the caller, with the messaging attributes
        SpanData send = only("send emails");
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(send.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
        assertThat(send.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("kafka");
        assertThat(send.getAttributes().get(Tracing.MESSAGING_DESTINATION)).isEqualTo("emails");
        assertThat(send.getAttributes().get(Tracing.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
        assertThat(send.getAttributes().get(Tracing.MESSAGING_MESSAGE_ID)).isEqualTo(job.getId());
        assertThat(send.getAttributes().get(Tracing.MESSAGING_KAFKA_KEY)).isEqualTo(job.getId());
        assertThat(send.getAttributes().get(Tracing.MESSAGING_KAFKA_OFFSET)).isEqualTo(receipt.offset());
        // and the job written carries the send span's context; the caller's job object is unchanged
        Job written = decode(producer.history().getFirst());
        SpanContext carried = Tracing.spanContext(written.getTraceParent().orElseThrow());
        assertThat(carried.getTraceId()).isEqualTo(send.getTraceId());
        assertThat(carried.getSpanId()).isEqualTo(send.getSpanId());
        assertThat(job.getTraceParent()).isEmpty();
    }

    @Test
    void aHandSetTraceParentIsKeptAndParentsTheSendSpan() {
        // Given a traced publisher and a job whose traceParent the caller set by hand
        JobPublisher publisher = publisher(sdk);
        Job job = Jobs.builder("send_email")
                .clock(CLOCK)
                .jsonPayload("{}")
                .traceParent(HAND_SET)
                .build();

        // When it is published
        publisher.publishSync("emails", job);
        publisher.close();

        // Then the job is written with the hand-set traceParent, and the send span is a child of it
        assertThat(decode(producer.history().getFirst()).getTraceParent()).hasValue(HAND_SET);
        SpanData send = only("send emails");
        assertThat(send.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(send.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    }

    @Test
    void withTheNoopOpenTelemetryNoTraceParentIsInventedAndTheBytesAreUnchanged() {
        // Given a publisher with the no-op OpenTelemetry (no SDK installed) and a job without traceParent
        JobPublisher publisher = publisher(OpenTelemetry.noop());
        Job job = job();

        // When it is published, with no current span
        publisher.publishSync("emails", job);
        publisher.close();

        // Then the record's value is exactly the job's encoding without tracing
        ProducerRecord<String, byte[]> record = producer.history().getFirst();
        assertThat(record.value()).isEqualTo(serde.encode("emails", job));
        assertThat(decode(record).getTraceParent()).isEmpty();
        assertThat(Span.fromContext(Context.current()).getSpanContext().isValid())
                .isFalse();
    }

    private JobPublisher publisher(OpenTelemetry openTelemetry) {
        PublisherConfig config = PublisherConfig.defaults();
        return new JobPublisher(
                config,
                producer,
                topics,
                new LeastLoaded(),
                new SimpleMeterRegistry(),
                CLOCK,
                "broker:9092",
                config.producerMaxRequestSize(),
                List.of(),
                openTelemetry);
    }

    private Job job() {
        return Jobs.builder("send_email").clock(CLOCK).jsonPayload("{}").build();
    }

    private Job decode(ProducerRecord<String, byte[]> record) {
        return serde.decode(record.topic(), record.headers(), record.value());
    }

    private SpanData only(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name))
                .toList();
        assertThat(named).hasSize(1);
        return named.getFirst();
    }
}
