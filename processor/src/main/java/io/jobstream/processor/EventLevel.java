package io.jobstream.processor;

/**
 * Which {@code JobEvent}s a processor writes to {@code <queue>.events} ({@code jobstream.worker.events}). Deferring a
 * job and skipping an id already done are not states, so they write none.
 */
public enum EventLevel {
    /** No events. */
    NONE,
    /** Outcomes: {@code SUCCEEDED}, {@code FAILED} (each failed attempt) and {@code EXPIRED} (the default). */
    OUTCOMES,
    /** The outcomes and {@code STARTED} (a handler began running the job). */
    ALL
}
