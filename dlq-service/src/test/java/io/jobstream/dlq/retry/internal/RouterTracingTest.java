package io.jobstream.dlq.retry.internal;

import static io.jobstream.dlq.TestJobs.failure;
import static io.jobstream.dlq.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicies;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobFailure;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.JobSerde;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure router's retry and dead-letter spans, under the failed attempt's span from the failure's header. */
class RouterTracingTest {
    private static final String QUEUE = "emails";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final SerdeConfig SERDES = SerdeConfig.singleObject();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PUBLISHER_SPAN = "00f067aa0ba902b7";
    private static final String PROCESS_SPAN = "b7ad6b7169203331";

    @TempDir
    Path stateDir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private final JobSerde<JobFailure> failures = JobSerde.forFailure(SERDES);
    private final JobSerde<Job> jobs = JobSerde.forJob(SERDES);
    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        sdk.close();
    }

    @Test
    void aRetryIsAChildOfTheFailedAttemptAndTheNextAttemptCarriesIt() {
        // Given a traced router
        start(sdk, 3);
        Job job = withTraceParent(job("send_email", 1), PUBLISHER_SPAN);

        // When attempt 1 fails, its failure record naming its process span in the traceparent header
        fail(job, PROCESS_SPAN);

        // Then a PRODUCER span "retry emails", child of the process span and linked to it, to the delay tier
        SpanData retry = spans.getFinishedSpanItems().getFirst();
        assertThat(retry.getName()).isEqualTo("retry emails");
        assertThat(retry.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(retry.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(retry.getParentSpanId()).isEqualTo(PROCESS_SPAN);
        assertThat(retry.getLinks())
                .anySatisfy(
                        link -> assertThat(link.getSpanContext().getSpanId()).isEqualTo(PROCESS_SPAN));
        assertThat(retry.getAttributes().get(Tracing.MESSAGING_DESTINATION)).isEqualTo("emails.delay.1s");
        assertThat(retry.getAttributes().get(Tracing.JOB_ATTEMPT)).isEqualTo(2L);
        // and attempt 2, in the job and in its record's header, carries the retry span
        TestRecord<byte[], byte[]> next = output("emails.delay.1s").readRecord();
        Job attempt2 = jobs.decode("emails.delay.1s", next.headers(), next.value());
        SpanContext carried = Tracing.spanContext(attempt2.getTraceParent().orElseThrow());
        assertThat(carried.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(carried.getSpanId()).isEqualTo(retry.getSpanId());
        assertThat(JobHeaders.text(next.headers(), JobHeaders.TRACEPARENT)).isEqualTo(attempt2.getTraceParent());
    }

    @Test
    void aDeadLetterIsAnErrorSpanUnderTheLastAttemptAndItsRecordCarriesIt() {
        // Given a traced router allowing one attempt
        start(sdk, 1);

        // When attempt 1 fails
        fail(withTraceParent(job("send_email", 1), PUBLISHER_SPAN), PROCESS_SPAN);

        // Then a "dead-letter emails" span with status ERROR under the process span, named by the DLQ record
        SpanData deadLetter = spans.getFinishedSpanItems().getFirst();
        assertThat(deadLetter.getName()).isEqualTo("dead-letter emails");
        assertThat(deadLetter.getParentSpanId()).isEqualTo(PROCESS_SPAN);
        assertThat(deadLetter.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(deadLetter.getAttributes().get(Tracing.MESSAGING_DESTINATION))
                .isEqualTo("emails.dlq");
        TestRecord<byte[], byte[]> letter = output("emails.dlq").readRecord();
        SpanContext carried = Tracing.spanContext(
                JobHeaders.text(letter.headers(), JobHeaders.TRACEPARENT).orElseThrow());
        assertThat(carried.getSpanId()).isEqualTo(deadLetter.getSpanId());
    }

    @Test
    void withTheNoopOpenTelemetryTheRetriedJobKeepsItsTraceParentOrHasNone() {
        // Given an untraced router
        start(OpenTelemetry.noop(), 3);

        // When a job with a traceParent and one without fail (the processor wrote the job's context in the header)
        Job traced = withTraceParent(job("send_email", 1), PUBLISHER_SPAN);
        fail(traced, PUBLISHER_SPAN);
        fail(job("send_email", 1), null);

        // Then the retries carry the same traceParent, and none
        var tier = output("emails.delay.1s");
        TestRecord<byte[], byte[]> first = tier.readRecord();
        TestRecord<byte[], byte[]> second = tier.readRecord();
        assertThat(jobs.decode("emails.delay.1s", first.headers(), first.value())
                        .getTraceParent())
                .isEqualTo(traced.getTraceParent());
        assertThat(jobs.decode("emails.delay.1s", second.headers(), second.value())
                        .getTraceParent())
                .isEmpty();
        assertThat(JobHeaders.text(second.headers(), JobHeaders.TRACEPARENT)).isEmpty();
    }

    private void start(OpenTelemetry openTelemetry, int maxAttempts) {
        RouterTopology.Settings settings = new RouterTopology.Settings(
                QUEUE,
                Names.dlqRouter(QUEUE),
                DelayTiers.defaults(),
                new RetryPolicies(
                        new RetryPolicy(
                                maxAttempts,
                                new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Backoff.Jitter.NONE),
                                Set.of(),
                                Set.of()),
                        Map.of()),
                20,
                Duration.ofDays(7),
                SERDES,
                new ManualClock(T0),
                new Random(3),
                new RouterMetrics(new SimpleMeterRegistry(), QUEUE),
                openTelemetry);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RouterTopology.build(settings), props, T0);
    }

    private void fail(Job job, String processSpan) {
        RecordHeaders headers = new RecordHeaders();
        if (processSpan != null) {
            JobHeaders.putText(headers, JobHeaders.TRACEPARENT, "00-" + TRACE_ID + "-" + processSpan + "-01");
        }
        driver.createInputTopic("emails.failed", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(new TestRecord<>(
                        job.getId().getBytes(StandardCharsets.UTF_8),
                        failures.encode("emails.failed", failure(job, QUEUE, T0)),
                        headers,
                        T0));
    }

    private org.apache.kafka.streams.TestOutputTopic<byte[], byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Job withTraceParent(Job job, String spanId) {
        return Job.newBuilder(job)
                .setTraceParent("00-" + TRACE_ID + "-" + spanId + "-01")
                .build();
    }
}
