package io.jobstream.processor;

import static io.jobstream.processor.MockKafka.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.Topics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One {@code process <queue>} span per job attempt, its context current in the handler and on the failure record. */
class ProcessorTracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PUBLISHER_SPAN = "00f067aa0ba902b7";
    private static final String TRACE_PARENT = "00-" + TRACE_ID + "-" + PUBLISHER_SPAN + "-01";

    private final MockKafka kafka = new MockKafka(true);
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private final Map<String, SpanContext> seenByHandler = new ConcurrentHashMap<>();
    private JobProcessor processor;

    @AfterEach
    void close() {
        if (processor != null) {
            processor.close(Duration.ofSeconds(5));
        }
        sdk.close();
    }

    @Test
    void eachJobIsAConsumerSpanUnderItsTraceParentCurrentInItsHandler() {
        // Given a traced processor whose handler notes the current span and the context it is given
        start(sdk);

        // When a job with the publisher's traceParent succeeds
        kafka.add(
                partition(0),
                "k".getBytes(),
                kafka.encode(MockKafka.job("k", "ok", "{}")
                        .setTraceParent(TRACE_PARENT)
                        .build()));
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.committed(partition(0)) == 1);

        // Then one CONSUMER span "process jobs", child of the publisher's span and linked to it
        SpanData process = await().atMost(Duration.ofSeconds(10)).until(() -> finished("process jobs"), s -> s != null);
        assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(process.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(process.getParentSpanId()).isEqualTo(PUBLISHER_SPAN);
        assertThat(process.getLinks())
                .anySatisfy(
                        link -> assertThat(link.getSpanContext().getSpanId()).isEqualTo(PUBLISHER_SPAN));
        assertThat(process.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("kafka");
        assertThat(process.getAttributes().get(Tracing.MESSAGING_OPERATION_TYPE))
                .isEqualTo("process");
        assertThat(process.getAttributes().get(Tracing.MESSAGING_DESTINATION)).isEqualTo("jobs");
        assertThat(process.getAttributes().get(Tracing.MESSAGING_CONSUMER_GROUP))
                .isEqualTo("jobs.workers");
        assertThat(process.getAttributes().get(Tracing.MESSAGING_KAFKA_OFFSET)).isEqualTo(0L);
        assertThat(process.getAttributes().get(Tracing.JOB_ATTEMPT)).isEqualTo(1L);
        assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        // and the handler ran with it current, and was given it
        assertThat(seenByHandler.get("current").getSpanId()).isEqualTo(process.getSpanId());
        assertThat(seenByHandler.get("context").getSpanId()).isEqualTo(process.getSpanId());
    }

    @Test
    void aFailedJobMarksItsSpanAndItsFailureRecordCarriesTheSpanContext() {
        // Given a traced processor
        start(sdk);

        // When a job with a traceParent fails
        kafka.add(
                partition(0),
                "k".getBytes(),
                kafka.encode(MockKafka.job("k", "boom", "{}")
                        .setTraceParent(TRACE_PARENT)
                        .build()));
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.committed(partition(0)) == 1);

        // Then its span has status ERROR and the exception, and the .failed record's traceparent names the span
        SpanData process = await().atMost(Duration.ofSeconds(10)).until(() -> finished("process jobs"), s -> s != null);
        assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(process.getEvents())
                .anySatisfy(event -> assertThat(event.getName()).isEqualTo("exception"));
        assertThat(process.getAttributes().get(Tracing.FAILURE_REASON)).isEqualTo("HANDLER_ERROR");
        List<ProducerRecord<byte[], byte[]>> failed = kafka.written(Topics.failed("jobs"));
        assertThat(failed).hasSize(1);
        SpanContext carried =
                Tracing.spanContext(JobHeaders.text(failed.getFirst().headers(), JobHeaders.TRACEPARENT)
                        .orElseThrow());
        assertThat(carried.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(carried.getSpanId()).isEqualTo(process.getSpanId());
    }

    @Test
    void withTheNoopOpenTelemetryAJobWithoutTraceParentGetsNone() {
        // Given a processor with the no-op OpenTelemetry
        start(OpenTelemetry.noop());

        // When a job without traceParent fails
        kafka.addJob(partition(0), "k", "boom", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.committed(partition(0)) == 1);

        // Then the handler saw no valid span and the failure record has no traceparent header (nothing is invented)
        assertThat(seenByHandler.get("current").isValid()).isFalse();
        assertThat(JobHeaders.text(
                        kafka.written(Topics.failed("jobs")).getFirst().headers(), JobHeaders.TRACEPARENT))
                .isEmpty();
        assertThat(kafka.failures().getFirst().getJob().orElseThrow().getTraceParent())
                .isEmpty();
    }

    private void start(OpenTelemetry openTelemetry) {
        processor = kafka.builder(MockKafka.config().build())
                .openTelemetry(openTelemetry)
                .handle("ok", (ctx, payload) -> note(ctx))
                .handle("boom", (ctx, payload) -> {
                    note(ctx);
                    throw new IllegalStateException("boom");
                })
                .build()
                .start();
        kafka.assign(partition(0));
    }

    private void note(JobContext ctx) {
        seenByHandler.put("current", Span.current().getSpanContext());
        seenByHandler.put("context", Span.fromContext(ctx.traceContext()).getSpanContext());
    }

    private SpanData finished(String name) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name))
                .findFirst()
                .orElse(null);
    }
}
