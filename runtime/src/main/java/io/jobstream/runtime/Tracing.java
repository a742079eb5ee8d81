package io.jobstream.runtime;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one place every role takes its tracing names from: the tracer, W3C trace-context propagation of a job's {@code
 * traceParent} field (and of HTTP and Kafka headers), and the attribute names of OpenTelemetry's messaging and HTTP
 * semantic conventions that Jobstream's spans carry.
 *
 * <p>Jobstream depends on the OpenTelemetry API only. A role takes an {@link OpenTelemetry} through its builder, by
 * default {@link GlobalOpenTelemetry#get()}: a no-op unless an SDK is installed (the OpenTelemetry Java agent, or the
 * SDK's autoconfigure on the class path with {@code otel.java.global-autoconfigure.enabled=true}). With the no-op, a
 * span is only its parent's context passed on (or invalid): no trace id is ever invented, nothing is recorded, and a
 * job without a {@code traceParent} is written byte for byte as without tracing.
 *
 * <p>Propagation is always W3C trace context ({@code traceparent}, {@code tracestate}), whatever propagators the SDK
 * was configured with: the job's {@code traceParent} field is a W3C {@code traceparent} by contract. Thread-safe.
 */
public final class Tracing {
    /** The instrumentation scope of every Jobstream span. */
    public static final String SCOPE = "io.jobstream";

    /** {@code messaging.system}: always {@value #KAFKA}. */
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    /** {@code messaging.destination.name}: the topic written or read. */
    public static final AttributeKey<String> MESSAGING_DESTINATION =
            AttributeKey.stringKey("messaging.destination.name");
    /** {@code messaging.destination.partition.id}. */
    public static final AttributeKey<String> MESSAGING_PARTITION =
            AttributeKey.stringKey("messaging.destination.partition.id");
    /** {@code messaging.operation.type}: {@code send} or {@code process}. */
    public static final AttributeKey<String> MESSAGING_OPERATION_TYPE =
            AttributeKey.stringKey("messaging.operation.type");
    /** {@code messaging.operation.name}: {@code send}, {@code process}, {@code retry}, {@code dead-letter}, {@code replay} */
    public static final AttributeKey<String> MESSAGING_OPERATION_NAME =
            AttributeKey.stringKey("messaging.operation.name");
    /** {@code messaging.message.id}: the job id. */
    public static final AttributeKey<String> MESSAGING_MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    /** {@code messaging.kafka.message.key}: the record key (the ordering key, else the job id). */
    public static final AttributeKey<String> MESSAGING_KAFKA_KEY =
            AttributeKey.stringKey("messaging.kafka.message.key");
    /** {@code messaging.kafka.offset}. */
    public static final AttributeKey<Long> MESSAGING_KAFKA_OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    /** {@code messaging.consumer.group.name}. */
    public static final AttributeKey<String> MESSAGING_CONSUMER_GROUP =
            AttributeKey.stringKey("messaging.consumer.group.name");
    /** {@code http.request.method}. */
    public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    /** {@code http.route}: the route's pattern ({@code /v1/queues/{queue}/jobs}). */
    public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    /** {@code http.response.status_code}. */
    public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
            AttributeKey.longKey("http.response.status_code");
    /** {@code jobstream.job.type}. */
    public static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("jobstream.job.type");
    /** {@code jobstream.job.attempt}: 1 for the first run. */
    public static final AttributeKey<Long> JOB_ATTEMPT = AttributeKey.longKey("jobstream.job.attempt");
    /** {@code jobstream.failure.reason}: the failure's stable code ({@code HANDLER_ERROR}, ...). */
    public static final AttributeKey<String> FAILURE_REASON = AttributeKey.stringKey("jobstream.failure.reason");
    /** {@code error.type}: the exception class, or the failure reason when nothing was thrown. */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** The value of {@link #MESSAGING_SYSTEM}. */
    public static final String KAFKA = "kafka";

    private static final String TRACEPARENT = "traceparent";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<String> TRACE_PARENT_GETTER =
            (carrier, key) -> TRACEPARENT.equals(key) ? carrier : null;

    private static final TextMapGetter<Function<String, String>> FUNCTION_GETTER =
            (carrier, key) -> carrier == null ? null : carrier.apply(key);

    private static final TextMapSetter<String[]> TRACE_PARENT_SETTER = (carrier, key, value) -> {
        if (carrier != null && TRACEPARENT.equals(key)) {
            carrier[0] = value;
        }
    };

    private Tracing() {}

    /** The process-wide instance: {@link GlobalOpenTelemetry#get()}, a no-op unless an SDK installed itself. */
    public static OpenTelemetry global() {
        return GlobalOpenTelemetry.get();
    }

    /** Jobstream's tracer of {@code openTelemetry}. */
    public static Tracer tracer(OpenTelemetry openTelemetry) {
        return openTelemetry.getTracer(SCOPE);
    }

    /**
     * {@code parent} with the context a W3C {@code traceParent} names as its remote parent span; {@code parent}
     * itself when {@code traceParent} is null or not a valid {@code traceparent}.
     */
    public static Context extract(Context parent, String traceParent) {
        if (traceParent == null || traceParent.isEmpty()) {
            return parent;
        }
        return W3C.extract(parent, traceParent, TRACE_PARENT_GETTER);
    }

    /** The remote span context a W3C {@code traceParent} names; invalid when it is null or malformed. */
    public static SpanContext spanContext(String traceParent) {
        return Span.fromContext(extract(Context.root(), traceParent)).getSpanContext();
    }

    /**
     * {@code parent} with the trace context of a request's (or record's) headers, {@code traceparent} and {@code
     * tracestate}, read through {@code header} (which answers null for a missing header).
     */
    public static Context extractHeaders(Context parent, Function<String, String> header) {
        return W3C.extract(parent, header, FUNCTION_GETTER);
    }

    /** The W3C {@code traceparent} of {@code context}'s span; empty when it has no valid span. */
    public static Optional<String> traceParent(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return Optional.empty();
        }
        String[] out = new String[1];
        W3C.inject(context, out, TRACE_PARENT_SETTER);
        return Optional.ofNullable(out[0]);
    }

    /** The W3C {@code traceparent} of {@code span}; empty when its context is not valid (a no-op span). */
    public static Optional<String> traceParent(Span span) {
        return span.getSpanContext().isValid() ? traceParent(Context.root().with(span)) : Optional.empty();
    }

    /**
     * Sets {@code builder}'s parent to {@code parent}'s span and links it too (messaging semantic conventions: a
     * consumer or a retry links to the span that produced its message); a parent without a valid span leaves the
     * builder's parent as it was.
     */
    public static SpanBuilder parentAndLink(SpanBuilder builder, Context parent) {
        SpanContext context = Span.fromContext(parent).getSpanContext();
        if (context.isValid()) {
            builder.setParent(parent).addLink(context);
        }
        return builder;
    }

    /** Marks {@code span} failed: status ERROR with {@code description}, and {@code error} recorded when there is one. */
    public static void failed(Span span, String description, Throwable error) {
        if (!span.isRecording()) {
            return;
        }
        span.setStatus(StatusCode.ERROR, description);
        if (error != null) {
            span.recordException(error);
            span.setAttribute(ERROR_TYPE, error.getClass().getName());
        } else {
            span.setAttribute(ERROR_TYPE, description);
        }
    }
}
