package io.jobstream.producer;

import io.jobstream.runtime.KafkaSettings;
import io.jobstream.schemas.DelayTiers;
import io.jobstream.schemas.JobstreamException;
import io.jobstream.schemas.RecordLimits;
import io.jobstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates a queue's topics, idempotently: the queue, {@code .failed}, one {@code .delay.<tier>} per delay tier,
 * {@code .dlq}, {@code .dlq.replayed} and {@code .events}, each with the queue's partition count and replication
 * factor. Topics that already exist are left as they are and reported as existing. This is what {@code jobstream
 * topics create --queue Q --partitions N --replication R} runs.
 *
 * <p><b>What a queue is.</b> A topic is a queue when its name may be one ({@link Topics#notAQueue}: no derived,
 * {@code _*}, {@code jobstream.*}/{@code jobstream-*} or Kafka Streams internal name) and its {@code <queue>.failed}
 * sibling exists, as this class creates it. The HTTP API publishes only to queues ({@code 404 NOT_A_QUEUE}
 * otherwise, for every token); {@link JobPublisher} refuses names that can never be a queue.
 *
 * <p>Configs, and why:
 *
 * <ul>
 *   <li>every topic: {@code min.insync.replicas = min(2, R)}, so with the publisher's {@code acks=all} a job is on two
 *       brokers before it is acknowledged whenever there are two replicas;
 *   <li>the queue, {@code .failed} and the delay tiers: {@code delete}, retention 7 days (a backlog or a stopped
 *       forwarder survives a long weekend; the longest default tier is 6 h);
 *   <li>{@code .dlq}: {@code delete}, retention 30 days: dead letters wait for a human;
 *   <li>{@code .dlq.replayed}: {@code compact}: the latest replay record per job, kept as long as the key lives;
 *   <li>{@code .events}: {@code compact,delete} with retention 7 days: the latest state of each job (for the status
 *       API), and finished jobs disappear after a week instead of growing forever;
 *   <li>{@code max.message.bytes}: the payload limit plus 64 KiB on the queue and delay tiers, plus 256 KiB on
 *       {@code .failed}, {@code .dlq} and {@code .dlq.replayed} (they also carry the error, a stack trace and the
 *       failure history); every internal producer takes records that large ({@link RecordLimits}), and a failure or
 *       dead letter still too large is written trimmed.
 * </ul>
 *
 * <p>Thread-safe. Failures other than "already exists" throw {@link JobstreamException} naming the topic.
 */
public final class QueueTopics implements AutoCloseable {
    /** Retention of the queue, {@code .failed}, the delay tiers and {@code .events}. */
    public static final Duration RETENTION = Duration.ofDays(7);
    /** Retention of {@code .dlq}. */
    public static final Duration DLQ_RETENTION = Duration.ofDays(30);

    private static final int JOB_ALLOWANCE = RecordLimits.JOB_ALLOWANCE;
    private static final Duration READY_POLL = Duration.ofMillis(50);
    private static final int FAILURE_ALLOWANCE = RecordLimits.FAILURE_ALLOWANCE;

    private final Admin admin;
    private final boolean ownsAdmin;
    private final DelayTiers tiers;
    private final long maxPayloadSize;
    private final Duration timeout;

    private QueueTopics(Admin admin, boolean ownsAdmin, DelayTiers tiers, long maxPayloadSize, Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.ownsAdmin = ownsAdmin;
        this.tiers = Objects.requireNonNull(tiers, "tiers");
        if (maxPayloadSize < 1) {
            throw new IllegalArgumentException("maxPayloadSize must be positive, got " + maxPayloadSize);
        }
        this.maxPayloadSize = maxPayloadSize;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Topics created through a new admin client for {@code kafka} (closed by {@link #close()}). */
    public static QueueTopics connect(KafkaSettings kafka) {
        return new QueueTopics(
                Admin.create(kafka.adminProperties()),
                true,
                DelayTiers.defaults(),
                PublisherConfig.MAX_PAYLOAD_SIZE.defaultValue().orElseThrow(),
                Duration.ofSeconds(30));
    }

    /** Topics created through {@code admin}, which the caller keeps and closes. */
    public static QueueTopics using(Admin admin) {
        return new QueueTopics(
                admin,
                false,
                DelayTiers.defaults(),
                PublisherConfig.MAX_PAYLOAD_SIZE.defaultValue().orElseThrow(),
                Duration.ofSeconds(30));
    }

    /** These settings with the delay tiers and payload limit of {@code config}. */
    public QueueTopics forPublisher(PublisherConfig config) {
        return new QueueTopics(admin, ownsAdmin, config.delayTiers(), config.maxPayloadSize(), timeout);
    }

    /** These settings with other delay tiers. */
    public QueueTopics withDelayTiers(DelayTiers delayTiers) {
        return new QueueTopics(admin, ownsAdmin, delayTiers, maxPayloadSize, timeout);
    }

    /** These settings with another bound on each admin call. */
    public QueueTopics withTimeout(Duration callTimeout) {
        return new QueueTopics(admin, ownsAdmin, tiers, maxPayloadSize, callTimeout);
    }

    /**
     * The topics {@link #create} would create, with their configs, in creation order.
     *
     * @throws IllegalArgumentException for an invalid queue name, a name that can never be a queue ({@link
     *     Topics#notAQueue}: a derived or internal topic's), partitions or replication factor below 1
     */
    public List<NewTopic> plan(String queue, int partitions, int replicationFactor) {
        Topics.queue(queue);
        Topics.notAQueue(queue).ifPresent(why -> {
            throw new IllegalArgumentException("'" + queue + "' cannot be a queue: " + why);
        });
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication factor must be at least 1, got " + replicationFactor);
        }
        short replication = (short) replicationFactor;
        String minIsr = Integer.toString(Math.min(2, replicationFactor));
        String jobBytes = Long.toString(maxPayloadSize + JOB_ALLOWANCE);
        String failureBytes = Long.toString(maxPayloadSize + FAILURE_ALLOWANCE);
        Map<String, String> jobs = configs(minIsr, TopicConfig.CLEANUP_POLICY_DELETE, RETENTION, jobBytes);

        List<NewTopic> out = new ArrayList<>();
        out.add(topic(queue, partitions, replication, jobs));
        out.add(topic(
                Topics.failed(queue),
                partitions,
                replication,
                configs(minIsr, TopicConfig.CLEANUP_POLICY_DELETE, RETENTION, failureBytes)));
        for (String tier : tiers.topics(queue)) {
            out.add(topic(tier, partitions, replication, jobs));
        }
        out.add(topic(
                Topics.dlq(queue),
                partitions,
                replication,
                configs(minIsr, TopicConfig.CLEANUP_POLICY_DELETE, DLQ_RETENTION, failureBytes)));
        out.add(topic(
                Topics.dlqReplayed(queue),
                partitions,
                replication,
                configs(minIsr, TopicConfig.CLEANUP_POLICY_COMPACT, null, failureBytes)));
        out.add(topic(
                Topics.events(queue),
                partitions,
                replication,
                configs(
                        minIsr,
                        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                        RETENTION,
                        null)));
        return out;
    }

    /**
     * Creates every topic of {@code queue} that does not exist yet ({@link #plan}); existing ones are left alone.
     * Returns once the created topics have a leader for every partition, so a publisher can use them at once.
     *
     * @throws JobstreamException when a topic cannot be created (e.g. a replication factor above the broker count) or
     *     the brokers do not answer in time; topics created before the failure stay
     */
    public QueueTopicsResult create(String queue, int partitions, int replicationFactor) {
        List<NewTopic> plan = plan(queue, partitions, replicationFactor);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        CreateTopicsResult result = admin.createTopics(plan, new CreateTopicsOptions().timeoutMs(timeoutMs));
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (NewTopic topic : plan) {
            try {
                result.values().get(topic.name()).get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(topic.name());
                } else {
                    problems.add(topic.name() + ": " + e.getCause());
                }
            } catch (TimeoutException e) {
                problems.add(topic.name() + ": the brokers did not answer within " + timeoutMs + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobstreamException("interrupted while creating the topics of queue " + queue, e);
            }
        }
        if (!problems.isEmpty()) {
            throw new JobstreamException(
                    "creating the topics of queue " + queue + " failed: " + String.join("; ", problems)
                            + (created.isEmpty() ? "" : " (created: " + String.join(", ", created) + ")"));
        }
        awaitLeaders(queue, created, timeoutMs);
        return new QueueTopicsResult(queue, created, existing);
    }

    /** Waits until every created topic is known to the brokers with a leader for each partition, so it can be used. */
    private void awaitLeaders(String queue, List<String> created, int timeoutMs) {
        if (created.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(created).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
                boolean ready = described.values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
                if (ready && leadersServe(described, timeoutMs)) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e.getCause(); // not yet propagated: UnknownTopicOrPartitionException
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobstreamException("interrupted while waiting for the topics of queue " + queue, e);
            }
            try {
                Thread.sleep(READY_POLL.toMillis()); // polling the brokers, not synchronising threads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobstreamException("interrupted while waiting for the topics of queue " + queue, e);
            }
        }
        throw new JobstreamException("the topics of queue " + queue + " were created but have no leaders after "
                + timeoutMs + " ms" + (last == null ? "" : ": " + last));
    }

    /**
     * Whether every partition's leader already serves it: the controller names a leader before the broker has
     * become it, and a producer that writes in between can get stuck retrying with stale metadata. A ListOffsets
     * request is answered only by the partition's serving leader.
     */
    private boolean leadersServe(Map<String, TopicDescription> described, int timeoutMs)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        described.forEach((topic, description) -> description
                .partitions()
                .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
        try {
            admin.listOffsets(request).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return false; // NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION while the leader takes over
        }
    }

    /** Closes the admin client when this instance created it. */
    @Override
    public void close() {
        if (ownsAdmin) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private static NewTopic topic(String name, int partitions, short replication, Map<String, String> configs) {
        return new NewTopic(name, partitions, replication).configs(configs);
    }

    private static Map<String, String> configs(
            String minIsr, String cleanupPolicy, Duration retention, String maxBytes) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        out.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minIsr);
        if (retention != null) {
            out.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        }
        if (maxBytes != null) {
            out.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        }
        return out;
    }
}
