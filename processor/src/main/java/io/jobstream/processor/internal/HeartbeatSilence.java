package io.jobstream.processor.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the worker should hold off starting jobs because its consumer has gone too long without a heartbeat to its
 * group coordinator ({@code jobstream.worker.heartbeat-silence-limit}). The consumer reports the time since it last
 * sent one ({@code last-heartbeat-seconds-ago} of {@code consumer-coordinator-metrics}, whole seconds); it sends none
 * while one is unanswered or the coordinator is unknown, so the figure grows while the worker is cut off. A worker cut
 * off past the group's session timeout has been fenced and its partitions given away, but it learns that only from the
 * answer to a heartbeat — and once the network is back its fetches may be answered first: without this, it would run
 * what it fetched, jobs another worker has run and committed since. Poll thread only.
 */
final class HeartbeatSilence {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatSilence.class);
    static final String METRIC = "last-heartbeat-seconds-ago";
    static final String GROUP = "consumer-coordinator-metrics";
    /** How often the consumer's metrics are searched again while the metric is not there (yet). */
    private static final long LOOKUP_INTERVAL_MILLIS = 1_000;

    private final Consumer<?, ?> consumer;
    private final Duration limit;
    private final Clock clock;
    private Metric metric;
    private long lastLookupMillis = Long.MIN_VALUE;
    private boolean holding;

    HeartbeatSilence(Consumer<?, ?> consumer, Duration limit, Clock clock) {
        this.consumer = consumer;
        this.limit = limit;
        this.clock = clock;
    }

    /** True while no heartbeat was sent for the limit or longer (logged when it begins and ends). */
    boolean holds() {
        if (limit.isZero()) {
            return false;
        }
        double seconds = secondsSinceHeartbeat();
        boolean silent = seconds >= 0 && seconds * 1000 >= limit.toMillis();
        if (silent != holding) {
            holding = silent;
            if (silent) {
                LOG.warn(
                        "jobs_held reason=coordinator_silent last_heartbeat_seconds_ago={} limit={}",
                        (long) seconds,
                        limit);
            } else {
                LOG.info("jobs_released last_heartbeat_seconds_ago={}", (long) seconds);
            }
        }
        return silent;
    }

    /** The consumer's figure, or -1 when it has none (no heartbeat sent yet, or no such metric). */
    private double secondsSinceHeartbeat() {
        if (metric == null) {
            long now = clock.millis();
            if (now - lastLookupMillis < LOOKUP_INTERVAL_MILLIS && lastLookupMillis != Long.MIN_VALUE) {
                return -1;
            }
            lastLookupMillis = now;
            for (Map.Entry<MetricName, ? extends Metric> entry :
                    consumer.metrics().entrySet()) {
                if (entry.getKey().name().equals(METRIC)
                        && entry.getKey().group().equals(GROUP)) {
                    metric = entry.getValue();
                    break;
                }
            }
            if (metric == null) {
                return -1;
            }
        }
        return metric.metricValue() instanceof Number value ? value.doubleValue() : -1;
    }
}
