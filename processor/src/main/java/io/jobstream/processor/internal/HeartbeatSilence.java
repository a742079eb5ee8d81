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
 * group coordinator ({@code jobstream.worker.heartbeat-silence-limit}). A worker cut off (or stopped) past the group's
 * session timeout has been fenced and its partitions given away, but it learns that only from the answer to a
 * heartbeat — and once it can talk again its fetches may be answered first: without this it would run what they
 * return, jobs another worker has run and committed since.
 *
 * <p>The consumer reports the time since it last <em>sent</em> a heartbeat ({@code last-heartbeat-seconds-ago} of
 * {@code consumer-coordinator-metrics}, whole seconds; it sends none while one is unanswered or the coordinator is
 * unknown) and counts the answers ({@code heartbeat-total}, recorded before the answer is acted on). The hold begins
 * when the first reaches the limit, and ends when it is below the limit again and an answer has come since the hold
 * began, followed by two polls: a "fenced" answer has then run {@code onPartitionsLost} (inside a poll), which drops
 * the held jobs. Poll thread only.
 */
final class HeartbeatSilence {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatSilence.class);
    static final String GROUP = "consumer-coordinator-metrics";
    static final String SINCE_SENT = "last-heartbeat-seconds-ago";
    static final String ANSWERS = "heartbeat-total";
    /** How often the consumer's metrics are searched again while they are not there (yet). */
    private static final long LOOKUP_INTERVAL_MILLIS = 1_000;
    /** Polls after an answer before the hold ends. */
    private static final int POLLS_AFTER_ANSWER = 2;

    private final Consumer<?, ?> consumer;
    private final Duration limit;
    private final Clock clock;
    private Metric sinceSent;
    private Metric answers;
    private long lastLookupMillis;
    private boolean lookedUp;

    private boolean holding;
    private double answersAtHold;
    private boolean answered;
    private int pollsSinceAnswer;

    HeartbeatSilence(Consumer<?, ?> consumer, Duration limit, Clock clock) {
        this.consumer = consumer;
        this.limit = limit;
        this.clock = clock;
    }

    /** True while jobs must not start (the hold's start and end are logged). */
    boolean holds() {
        if (limit.isZero()) {
            return false;
        }
        double seconds = value(sinceSent());
        boolean silent = seconds >= 0 && seconds * 1000 >= limit.toMillis();
        if (!holding) {
            if (silent) {
                holding = true;
                answersAtHold = value(answers);
                answered = false;
                pollsSinceAnswer = 0;
                LOG.warn(
                        "jobs_held reason=coordinator_silent last_heartbeat_seconds_ago={} limit={}",
                        (long) seconds,
                        limit);
            }
            return holding;
        }
        boolean confirmed = answers == null || pollsSinceAnswer >= POLLS_AFTER_ANSWER;
        if (!silent && confirmed) {
            holding = false;
            LOG.info("jobs_released last_heartbeat_seconds_ago={}", (long) Math.max(seconds, 0));
        }
        return holding;
    }

    /** Called just before each {@code consumer.poll}. */
    void beforePoll() {
        if (holding && !answered && answers != null && value(answers) > answersAtHold) {
            answered = true; // an answer came: the poll that starts now acts on it
        }
    }

    /** Called after each {@code consumer.poll} returned (or threw). */
    void afterPoll() {
        if (holding && answered) {
            pollsSinceAnswer++;
        }
    }

    private Metric sinceSent() {
        if (sinceSent == null) {
            long now = clock.millis();
            if (lookedUp && now - lastLookupMillis < LOOKUP_INTERVAL_MILLIS) {
                return null;
            }
            lookedUp = true;
            lastLookupMillis = now;
            for (Map.Entry<MetricName, ? extends Metric> entry :
                    consumer.metrics().entrySet()) {
                if (entry.getKey().group().equals(GROUP)) {
                    if (entry.getKey().name().equals(SINCE_SENT)) {
                        sinceSent = entry.getValue();
                    } else if (entry.getKey().name().equals(ANSWERS)) {
                        answers = entry.getValue();
                    }
                }
            }
        }
        return sinceSent;
    }

    /** A metric's value, or -1 when there is none (no such metric, or no heartbeat sent yet). */
    private static double value(Metric metric) {
        return metric != null && metric.metricValue() instanceof Number value ? value.doubleValue() : -1;
    }
}
