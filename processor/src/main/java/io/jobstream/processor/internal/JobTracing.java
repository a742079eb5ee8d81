package io.jobstream.processor.internal;

import io.jobstream.processor.internal.Outcome.Completion;
import io.jobstream.runtime.Tracing;
import io.jobstream.schemas.FailureReason;
import io.jobstream.schemas.Job;
import io.jobstream.schemas.JobHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The processor's spans: one {@code CONSUMER} span {@code process <queue>} per job attempt, a child of the job's
 * {@code traceParent} (the publisher's span, or the dlq-service's retry span) with a link to it, ended when the job's
 * outcome is handed to the poll thread. The job's handler, its failure record and its events run with the span's
 * context current; a failure marks the span (status ERROR, the exception recorded) and its record in {@code
 * <queue>.failed} carries the span's context in its {@code traceparent} header, which the dlq-service continues.
 *
 * <p>With the no-op OpenTelemetry the span is the job's own {@code traceParent} passed on (or invalid), nothing is
 * recorded and nothing is wrapped. Thread-safe.
 */
final class JobTracing {
    private final Tracer tracer;
    private final String spanName;
    private final String group;

    JobTracing(OpenTelemetry openTelemetry, String queue, String group) {
        this.tracer = Tracing.tracer(openTelemetry);
        this.spanName = "process " + queue;
        this.group = group;
    }

    /** The context of a new {@code process} span of {@code job}, read from {@code work}'s record. */
    Context start(Work work, Job job) {
        ConsumerRecord<byte[], byte[]> record = work.record();
        Context parent = Tracing.extract(Context.root(), job.getTraceParent().orElse(null));
        SpanBuilder builder =
                tracer.spanBuilder(spanName).setSpanKind(SpanKind.CONSUMER).setNoParent();
        Tracing.parentAndLink(builder, parent);
        Span span = builder.setAttribute(Tracing.MESSAGING_SYSTEM, Tracing.KAFKA)
                .setAttribute(Tracing.MESSAGING_DESTINATION, record.topic())
                .setAttribute(Tracing.MESSAGING_OPERATION_TYPE, "process")
                .setAttribute(Tracing.MESSAGING_OPERATION_NAME, "process")
                .setAttribute(Tracing.MESSAGING_CONSUMER_GROUP, group)
                .setAttribute(Tracing.MESSAGING_PARTITION, Integer.toString(record.partition()))
                .setAttribute(Tracing.MESSAGING_KAFKA_OFFSET, record.offset())
                .setAttribute(Tracing.MESSAGING_MESSAGE_ID, job.getId())
                .setAttribute(Tracing.JOB_TYPE, job.getType())
                .setAttribute(Tracing.JOB_ATTEMPT, (long) job.getAttempt())
                .startSpan();
        return parent.with(span);
    }

    /**
     * {@code done}, ending {@code trace}'s span at the job's first completion; {@code done} itself when the span
     * records nothing.
     */
    static Consumer<Completion> endingOn(Context trace, Consumer<Completion> done) {
        Span span = Span.fromContext(trace);
        if (!span.isRecording()) {
            return done;
        }
        AtomicBoolean ended = new AtomicBoolean();
        return completion -> {
            if (ended.compareAndSet(false, true)) {
                span.end();
            }
            done.accept(completion);
        };
    }

    /** Ends {@code trace}'s span for an outcome the caller hands on itself (a fault, or an outcome returned). */
    static void end(Context trace) {
        Span span = Span.fromContext(trace);
        if (span.isRecording()) {
            span.end();
        }
    }

    /**
     * Marks the current span failed with {@code reason} (and {@code error}, when one was thrown) and writes its context
     * into {@code headers} as {@code traceparent}, so the dlq-service's retry or dead letter continues the trace.
     */
    static void failed(Headers headers, FailureReason reason, Throwable error) {
        Span span = Span.current();
        if (span.isRecording()) {
            span.setAttribute(Tracing.FAILURE_REASON, reason.name());
            Tracing.failed(span, reason.name(), error);
        }
        Tracing.traceParent(Context.current())
                .ifPresent(traceParent -> JobHeaders.putText(headers, JobHeaders.TRACEPARENT, traceParent));
    }
}
