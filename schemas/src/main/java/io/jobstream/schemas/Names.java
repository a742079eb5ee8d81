package io.jobstream.schemas;

import java.util.Objects;
import java.util.UUID;

/**
 * The names of Jobstream's consumer groups, Kafka Streams application ids and transactional ids: the one place they
 * are spelled, so an operator's ACLs, lag dashboards and {@code kafka-consumer-groups.sh} find the same names the
 * roles use.
 *
 * <p>One family: <b>a name that belongs to one queue starts with the queue's name and a dot</b> ({@code
 * <queue>.<role>}), like the queue's topics ({@link Topics}); a name shared by all the queues of a deployment starts
 * with {@code jobstream-} ({@code jobstream-<role>}). So a PREFIXED ACL on {@code <queue>.} covers every group,
 * transactional id and Kafka Streams internal topic of a queue, and a queue's names sort together in every listing.
 *
 * <pre>
 * emails.workers                  consumer group of the processor (the worker)
 * emails.dlq-router               Kafka Streams application id of the failure router: also its consumer group, the
 *                                 prefix of its internal topics (emails.dlq-router-routed-attempts-changelog) and of
 *                                 its transactional ids (emails.dlq-router-&lt;process id&gt;-&lt;thread&gt;)
 * emails.delay-forwarder          consumer group of the delay forwarder
 * emails.delay-forwarder-&lt;uuid&gt;   transactional id of one delay forwarder instance
 * emails.dlq-replay               transactional id of a DLQ replay of the queue
 * jobstream-status                Kafka Streams application id of the API's job-status projection (all queues)
 * jobstream-dlq-alerts            consumer group of the dlq-service's dead-letter alert feed (all queues)
 * jobstream-scheduler.&lt;topic&gt;     transactional id of the scheduler writing its marker topic
 * </pre>
 *
 * <p>Every method throws {@link IllegalArgumentException} for an invalid queue name ({@link Topics#queue(String)}).
 */
public final class Names {
    /** The job-status projection's default Kafka Streams application id (one per deployment, all its queues). */
    public static final String STATUS_APPLICATION_ID = "jobstream-status";

    /** The dlq-service's dead-letter alert feed: one consumer group reading every served {@code <queue>.dlq}. */
    public static final String DLQ_ALERTS_GROUP = "jobstream-dlq-alerts";

    /** The scheduler's default marker topic (its tick log; {@code jobstream.scheduler.marker-topic}). */
    public static final String SCHEDULER_MARKER_TOPIC = "jobstream.schedules";

    /** The prefix of the scheduler's transactional id, followed by its marker topic. */
    public static final String SCHEDULER_TRANSACTIONAL_ID_PREFIX = "jobstream-scheduler.";

    private Names() {}

    /** {@code <queue>.workers}: the processor's consumer group. */
    public static String workerGroup(String queue) {
        return Topics.queue(queue) + ".workers";
    }

    /**
     * {@code <queue>.dlq-router}: the failure router's Kafka Streams application id, which Kafka Streams also uses as
     * its consumer group and as the prefix of its internal topics and transactional ids.
     */
    public static String dlqRouter(String queue) {
        return Topics.queue(queue) + ".dlq-router";
    }

    /**
     * {@code jobstream-dlq-router-<queue>}: the failure router's application id (and consumer group) before the names
     * followed one family; read once to carry its committed offsets over to {@link #dlqRouter(String)}.
     */
    public static String legacyDlqRouter(String queue) {
        return "jobstream-dlq-router-" + Topics.queue(queue);
    }

    /** {@code <queue>.delay-forwarder}: the delay forwarder's consumer group. */
    public static String delayForwarderGroup(String queue) {
        return Topics.queue(queue) + ".delay-forwarder";
    }

    /** {@code <queue>.delay-forwarder-<instance>}: the transactional id of one delay forwarder instance. */
    public static String delayForwarderTransactionalId(String queue, UUID instance) {
        return delayForwarderGroup(queue) + "-" + Objects.requireNonNull(instance, "instance");
    }

    /** {@code <queue>.dlq-replay}: the transactional id of a replay of {@code queue}'s dead letters. */
    public static String dlqReplayTransactionalId(String queue) {
        return Topics.queue(queue) + ".dlq-replay";
    }

    /** {@code jobstream-scheduler.<marker topic>}: the transactional id every scheduler replica shares. */
    public static String schedulerTransactionalId(String markerTopic) {
        return SCHEDULER_TRANSACTIONAL_ID_PREFIX + Objects.requireNonNull(markerTopic, "markerTopic");
    }
}
