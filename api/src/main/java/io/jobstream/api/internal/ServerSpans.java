package io.jobstream.api.internal;

import io.jobstream.runtime.Tracing;
import io.jobstream.runtime.http.HttpResponse;
import io.jobstream.runtime.http.Route;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * A {@code SERVER} span per API request, {@code <METHOD> <route>} ({@code POST /v1/queues/{queue}/jobs}): a child of
 * the request's W3C {@code traceparent}/{@code tracestate} headers when it has them (a new trace otherwise), current
 * while the route runs, so the publisher's {@code send} span and the job's {@code traceParent} continue it. It carries
 * {@code http.request.method}, {@code http.route} and {@code http.response.status_code}; a 5xx or a fault is an ERROR.
 * With the no-op OpenTelemetry an incoming {@code traceparent} is only passed on. Thread-safe.
 */
public final class ServerSpans {
    private final Tracer tracer;

    /** Spans of {@code openTelemetry}'s Jobstream tracer. */
    public ServerSpans(OpenTelemetry openTelemetry) {
        this.tracer = Tracing.tracer(openTelemetry);
    }

    /** {@code inner} within a server span named after {@code route}. */
    public Route traced(String route, Route inner) {
        return request -> {
            Context parent = Tracing.extractHeaders(
                    Context.root(), name -> request.header(name).orElse(null));
            Span span = tracer.spanBuilder(request.method() + " " + route)
                    .setSpanKind(SpanKind.SERVER)
                    .setParent(parent)
                    .setAttribute(Tracing.HTTP_REQUEST_METHOD, request.method())
                    .setAttribute(Tracing.HTTP_ROUTE, route)
                    .startSpan();
            try (Scope ignored = parent.with(span).makeCurrent()) {
                HttpResponse response = inner.handle(request);
                span.setAttribute(Tracing.HTTP_RESPONSE_STATUS_CODE, (long) response.status());
                if (response.status() >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
                return response;
            } catch (RuntimeException | Error e) {
                Tracing.failed(span, e.getClass().getSimpleName(), e);
                throw e;
            } finally {
                span.end();
            }
        };
    }
}
