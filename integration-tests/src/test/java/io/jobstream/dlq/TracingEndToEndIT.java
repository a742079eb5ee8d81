package io.jobstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobstream.api.IngestApi;
import io.jobstream.api.IngestApiConfig;
import io.jobstream.coordination.Coordination;
import io.jobstream.dlq.replay.DlqReplay;
import io.jobstream.dlq.replay.ReplayFilter;
import io.jobstream.dlq.replay.ReplayRequest;
import io.jobstream.dlq.retry.Backoff;
import io.jobstream.dlq.retry.RetryPolicy;
import io.jobstream.processor.JobProcessor;
import io.jobstream.processor.ProcessorConfig;
import io.jobstream.producer.JobPublisher;
import io.jobstream.producer.PublisherConfig;
import io.jobstream.runtime.AdminServer;
import io.jobstream.runtime.KafkaSettings;
import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.AccessToken;
import io.jobstream.runtime.http.HttpConfig;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobHeaders;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.SerdeConfig;
import io.jobstream.schemas.Topics;
import io.jobstream.testkit.JobstreamTest;
import io.jobstream.testkit.KafkaCluster;
import io.jobstream.testkit.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace end to end, with an OpenTelemetry SDK (in-memory exporter) handed to every role, the API, the worker and
 * the dlq-service running in-process against a real broker: a job POSTed with a {@code traceparent} header that fails
 * once, is retried by the dlq-service and then succeeds is one connected trace, server → send → process (attempt 1)
 * → retry → process (attempt 2); a job that always fails ends that way in a dead-letter span of its trace, and its
 * replay starts a new trace linked to that dead-letter span.
 */
@JobstreamTest
class TracingEndToEndIT {
    private static final DelayTiers TIERS = DelayTiers.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Duration BACKOFF = Duration.ofSeconds(1);
    private static final String TOKEN = "it-token-0123456789";
    private static final String FLAKY_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String DOOMED_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    @TempDir
    Path stateDir;

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();

    @AfterEach
    void closeSdk() {
        sdk.close();
    }

    @Test
    void aJobPostedWithTraceparentThatIsRetriedOnceIsOneConnectedTraceAndADeadLetterEndsItsTrace(
            KafkaCluster kafka, TestTopics topics) throws Exception {
        // Given a queue, the dlq-service (3 attempts, 1 s backoff), a worker whose "flaky" handler fails attempt 1 and
        // whose "doomed" handler always fails, and the API, every one traced with the same SDK
        String queue = topics.unique("traced");
        ItKafka.createQueueTopics(kafka, queue, TIERS);
        KafkaSettings settings = KafkaSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        RetryPolicy policy =
                new RetryPolicy(3, new Backoff(BACKOFF, 1.0, BACKOFF, Backoff.Jitter.NONE), Set.of(), Set.of());
        HttpConfig http =
                HttpConfig.defaults(List.of(AccessToken.of("it", TOKEN, HttpConfig.DEFAULT_SCOPES, Set.of("*"))));
        List<ItKafka.Received> deadLetters;
        List<SpanData> beforeReplay;
        kafka.createTopic(Topics.dlqReplayed(queue), 1, 1, Map.of("cleanup.policy", "compact"));
        try (ItKafka.Collector dlq = new ItKafka.Collector(kafka, Topics.dlq(queue));
                DlqService service = DlqService.builder(ItKafka.fastDlqConfig(queue, TIERS, policy, stateDir), settings)
                        .openTelemetry(sdk)
                        .build()
                        .start();
                JobProcessor worker = JobProcessor.builder(
                                ProcessorConfig.builder(queue, settings).build())
                        .openTelemetry(sdk)
                        .handle("flaky", (ctx, payload) -> {
                            if (ctx.attempt() == 1) {
                                throw new IllegalStateException("flaky attempt 1");
                            }
                        })
                        .handle("doomed", (ctx, payload) -> {
                            throw new IllegalStateException("doomed attempt " + ctx.attempt());
                        })
                        .build()
                        .start();
                AdminServer server = AdminServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .bindJvmMetrics(false)
                        .http(http)
                        .start();
                JobPublisher publisher = JobPublisher.create(
                        PublisherConfig.builder()
                                .metadataTimeout(Duration.ofSeconds(10))
                                .build(),
                        settings,
                        new SimpleMeterRegistry(),
                        sdk);
                Coordination memory = Coordination.inMemory(Clock.systemUTC());
                IngestApi api = IngestApi.mount(IngestApiConfig.defaults(), publisher, server, memory, sdk);
                HttpClient client = HttpClient.newHttpClient()) {
            await().atMost(Duration.ofSeconds(60)).until(service::isRunning);

            // When a flaky and a doomed job are POSTed, each with a traceparent header of a trace of its own
            assertThat(post(client, api.uri(), queue, "flaky", FLAKY_TRACE)).isEqualTo(202);
            assertThat(post(client, api.uri(), queue, "doomed", DOOMED_TRACE)).isEqualTo(202);

            // Then (once the flaky job's second attempt and the doomed job's dead letter are done)
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> find(trace(FLAKY_TRACE), "process " + queue, 2) != null
                            && find(trace(DOOMED_TRACE), "dead-letter " + queue, 3) != null);
            await().atMost(Duration.ofSeconds(30)).until(() -> !dlq.poll().isEmpty());
            deadLetters = dlq.poll();
            beforeReplay = exporter.getFinishedSpanItems();

            // And when the dead letter is replayed, traced with the same SDK
            try (DlqReplay replay = DlqReplay.create(settings, SerdeConfig.singleObject(), Clock.systemUTC(), sdk)) {
                assertThat(replay.replay(ReplayRequest.of(ReplayFilter.all(queue)))
                                .replayed())
                        .isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> replayedProcess(queue) != null);
        }

        // every span before the replay belongs to one of the two traces the headers named
        assertThat(beforeReplay.stream().map(SpanData::getTraceId).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(FLAKY_TRACE, DOOMED_TRACE);

        // the flaky job: server -> send -> process (attempt 1) -> retry -> process (attempt 2), nothing else
        List<SpanData> flaky = trace(FLAKY_TRACE);
        assertThat(flaky)
                .extracting(SpanData::getName)
                .containsExactlyInAnyOrder(
                        "POST /v1/queues/{queue}/jobs",
                        "send " + queue,
                        "process " + queue,
                        "retry " + queue,
                        "process " + queue);
        SpanData server = find(flaky, "POST /v1/queues/{queue}/jobs", 0);
        SpanData send = find(flaky, "send " + queue, 0);
        SpanData first = find(flaky, "process " + queue, 1);
        SpanData retry = find(flaky, "retry " + queue, 0);
        SpanData second = find(flaky, "process " + queue, 2);
        assertThat(server.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(send.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(first.getParentSpanId()).isEqualTo(send.getSpanId());
        assertThat(retry.getParentSpanId()).isEqualTo(first.getSpanId());
        assertThat(second.getParentSpanId()).isEqualTo(retry.getSpanId());
        // with the kinds, links and main attributes of the messaging and HTTP conventions
        assertThat(List.of(server, send, first, retry, second))
                .extracting(SpanData::getKind)
                .containsExactly(
                        SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.CONSUMER);
        assertThat(server.getAttributes().get(Tracing.HTTP_REQUEST_METHOD)).isEqualTo("POST");
        assertThat(server.getAttributes().get(Tracing.HTTP_RESPONSE_STATUS_CODE))
                .isEqualTo(202L);
        assertThat(send.getAttributes().get(Tracing.MESSAGING_DESTINATION)).isEqualTo(queue);
        assertThat(send.getAttributes().get(Tracing.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
        for (SpanData process : List.of(first, second)) {
            assertThat(process.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("kafka");
            assertThat(process.getAttributes().get(Tracing.MESSAGING_DESTINATION))
                    .isEqualTo(queue);
            assertThat(process.getAttributes().get(Tracing.MESSAGING_OPERATION_TYPE))
                    .isEqualTo("process");
            assertThat(process.getAttributes().get(Tracing.MESSAGING_CONSUMER_GROUP))
                    .isEqualTo(Names.workerGroup(queue));
            assertThat(process.getAttributes().get(Tracing.MESSAGING_KAFKA_OFFSET))
                    .isNotNull();
        }
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(first.getAttributes().get(Tracing.FAILURE_REASON)).isEqualTo("HANDLER_ERROR");
        assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(retry.getAttributes().get(Tracing.MESSAGING_DESTINATION))
                .isEqualTo(Topics.delay(queue, Duration.ofSeconds(1)));
        assertThat(linkedSpanIds(first)).contains(send.getSpanId());
        assertThat(linkedSpanIds(retry)).contains(first.getSpanId());
        assertThat(linkedSpanIds(second)).contains(retry.getSpanId());

        // the doomed job: three attempts, each retry under the attempt before, then a dead letter under the last
        List<SpanData> doomed = trace(DOOMED_TRACE);
        SpanData last = find(doomed, "process " + queue, 3);
        SpanData deadLetter = find(doomed, "dead-letter " + queue, 3);
        assertThat(doomed)
                .filteredOn(span -> span.getName().equals("process " + queue))
                .hasSize(3);
        assertThat(doomed)
                .filteredOn(span -> span.getName().equals("retry " + queue))
                .hasSize(2);
        assertThat(deadLetter.getParentSpanId()).isEqualTo(last.getSpanId());
        assertThat(deadLetter.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(deadLetter.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(deadLetter.getAttributes().get(Tracing.MESSAGING_DESTINATION))
                .isEqualTo(Topics.dlq(queue));
        assertThat(linkedSpanIds(deadLetter)).contains(last.getSpanId());
        // and the dead letter's record carries the dead-letter span's context (a replay links to it)
        assertThat(deadLetters).hasSize(1);
        SpanContext carried =
                Tracing.spanContext(JobHeaders.text(deadLetters.getFirst().headers(), JobHeaders.TRACEPARENT)
                        .orElseThrow());
        assertThat(carried.getTraceId()).isEqualTo(DOOMED_TRACE);
        assertThat(carried.getSpanId()).isEqualTo(deadLetter.getSpanId());

        // the replay: a new trace, its root linked to the dead-letter span, under which the replayed job ran again
        SpanData replay = finished("replay " + queue);
        assertThat(replay.getParentSpanContext().isValid()).isFalse();
        assertThat(replay.getTraceId()).isNotIn(FLAKY_TRACE, DOOMED_TRACE);
        assertThat(linkedSpanIds(replay)).containsExactly(deadLetter.getSpanId());
        SpanData replayed = replayedProcess(queue);
        assertThat(replayed.getTraceId()).isEqualTo(replay.getTraceId());
        assertThat(replayed.getAttributes().get(Tracing.JOB_ATTEMPT)).isEqualTo(1L);
    }

    /** The process span of the replayed job: a child of the replay span; null until it finished. */
    private SpanData replayedProcess(String queue) {
        SpanData replay = finished("replay " + queue);
        return replay == null
                ? null
                : exporter.getFinishedSpanItems().stream()
                        .filter(span -> span.getParentSpanId().equals(replay.getSpanId()))
                        .filter(span -> span.getName().equals("process " + queue))
                        .findFirst()
                        .orElse(null);
    }

    private SpanData finished(String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static int post(HttpClient client, URI base, String queue, String type, String traceId) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/queues/" + queue + "/jobs"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .header("Content-Type", "application/json")
                                .header("traceparent", "00-" + traceId + "-" + CLIENT_SPAN + "-01")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private List<SpanData> trace(String traceId) {
        return exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(traceId))
                .toList();
    }

    /** The span of {@code trace} named {@code name} (of job attempt {@code attempt}, unless 0); null when none. */
    private static SpanData find(List<SpanData> trace, String name, long attempt) {
        List<SpanData> found = trace.stream()
                .filter(span -> span.getName().equals(name))
                .filter(span -> attempt == 0
                        || Long.valueOf(attempt).equals(span.getAttributes().get(Tracing.JOB_ATTEMPT)))
                .toList();
        assertThat(found).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.getFirst();
    }

    private static List<String> linkedSpanIds(SpanData span) {
        return span.getLinks().stream()
                .map(link -> link.getSpanContext().getSpanId())
                .toList();
    }
}
