package io.jobstream.dlq.alert;

/**
 * What the {@link AlertAggregator} hands to every {@link AlertSink}: a dead-letter {@link Alert} (first, aggregated,
 * recovered) or a {@link LagAlert} (a consumer group's lag status changed). Sinks format each kind with a {@code
 * switch} over this sealed type, so a new kind cannot be forgotten by a sink.
 */
public sealed interface Notification permits Alert, LagAlert {}
