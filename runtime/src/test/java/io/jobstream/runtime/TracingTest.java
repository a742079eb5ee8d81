package io.jobstream.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACE_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aTraceParentReadsBackAsTheSameTraceParent() {
        // Given a job's traceParent read as a context
        Context context = Tracing.extract(Context.root(), TRACE_PARENT);

        // Then it names a remote span of that trace, and writing it out gives the same traceparent
        SpanContext span = Span.fromContext(context).getSpanContext();
        assertThat(span.isRemote()).isTrue();
        assertThat(span.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(span.getSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(Tracing.traceParent(context)).hasValue(TRACE_PARENT);
    }

    @Test
    void aMissingOrMalformedTraceParentIsNoContextAndWritesNothing() {
        for (String bad :
                new String[] {null, "", "00-abc", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
            assertThat(Tracing.spanContext(bad).isValid())
                    .as(String.valueOf(bad))
                    .isFalse();
            assertThat(Tracing.traceParent(Tracing.extract(Context.root(), bad)))
                    .isEmpty();
        }
        assertThat(Tracing.traceParent(Context.root())).isEmpty();
    }

    @Test
    void requestHeadersGiveTheTraceparentAndTracestate() {
        // Given request headers with traceparent and tracestate
        Map<String, String> headers = Map.of("traceparent", TRACE_PARENT, "tracestate", "vendor=1");

        // When they are read
        Context context = Tracing.extractHeaders(Context.root(), headers::get);

        // Then the span context has both
        SpanContext span = Span.fromContext(context).getSpanContext();
        assertThat(span.getSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(span.getTraceState().get("vendor")).isEqualTo("1");
    }
}
