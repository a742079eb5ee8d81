package io.jobstream.cli;

import io.jobstream.runtime.LagSampler;
import io.jobstream.runtime.LagSampler.GroupLagSample;
import io.jobstream.schemas.JobstreamException;
import io.jobstream.schemas.Names;
import io.jobstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * A queue's topics as the brokers have them: each topic's partition count, and how much work is still waiting in
 * them (the lag of the groups that read them). What {@code jobstream topics create} checks before leaving a queue as it
 * is and {@code jobstream topics partitions} checks before growing one.
 *
 * <p>Which topics grow with the queue, and why ({@link #resizable}):
 *
 * <ul>
 *   <li>the queue, {@code .failed}, every {@code .delay.<tier>}, {@code .dlq} and {@code .dlq.replayed}: keyed by
 *       ordering key (or, for {@code .dlq.replayed}, by dead letter position), read by groups that start a new
 *       partition from its earliest offset, so nothing written to a new partition is skipped;
 *   <li>the router's changelog {@code <router application id>-routed-attempts-changelog}, when it exists: Kafka Streams
 *       has one task per partition of {@code .failed} and one changelog partition per task, and stops with "invalid
 *       partitions" when the two disagree;
 *   <li>not {@code .events}: it is keyed by job id and the job-status projection partitions its store like it, so
 *       growing it would hide every earlier job's status until the projection is rebuilt (docs/OPERATIONS.md).
 * </ul>
 *
 * <p>Not thread-safe; the Admin client belongs to the caller. Admin failures throw {@link JobstreamException} naming the
 * call.
 */
final class QueueLayout {
    /** The router's store changelog suffix (after the Streams application id). */
    static final String ROUTER_CHANGELOG_SUFFIX = "-routed-attempts-changelog";

    private final String queue;
    private final Map<String, Integer> partitions;

    private QueueLayout(String queue, Map<String, Integer> partitions) {
        this.queue = queue;
        this.partitions = partitions;
    }

    /** The topics of {@code queue} that exist, with their partition counts. */
    static QueueLayout read(Admin admin, String queue, Duration timeout) {
        Topics.queue(queue);
        Set<String> names = new TreeSet<>(call(admin.listTopics().names(), "listTopics", timeout));
        List<String> mine = new ArrayList<>();
        for (String name : names) {
            if (belongsTo(queue, name)) {
                mine.add(name);
            }
        }
        Map<String, Integer> partitions = new LinkedHashMap<>();
        if (!mine.isEmpty()) {
            Map<String, TopicDescription> described =
                    call(admin.describeTopics(mine).allTopicNames(), "describeTopics " + mine, timeout);
            for (String name : order(queue, mine)) {
                partitions.put(name, described.get(name).partitions().size());
            }
        }
        return new QueueLayout(queue, partitions);
    }

    /** The queue's partition count, when the queue topic exists. */
    Optional<Integer> queuePartitions() {
        return Optional.ofNullable(partitions.get(queue));
    }

    /** Every topic of the queue that exists, with its partition count, the queue first. */
    Map<String, Integer> partitions() {
        return partitions;
    }

    /** The existing topics that grow with the queue (see the class comment), the queue first. */
    List<String> resizable() {
        return partitions.keySet().stream()
                .filter(name -> !name.equals(Topics.events(queue)))
                .toList();
    }

    /** The existing topics left as they are when the queue grows. */
    List<String> kept() {
        return partitions.keySet().stream()
                .filter(name -> name.equals(Topics.events(queue)))
                .toList();
    }

    /** The delay tier topics that exist. */
    List<String> tiers() {
        return partitions.keySet().stream().filter(name -> isTier(queue, name)).toList();
    }

    /**
     * Jobs and records still waiting: for each group, the summed lag over {@code topics}' partitions (a partition the
     * group never committed to lags from its log start, where the group would begin).
     */
    Map<String, Long> waiting(Admin admin, String group, Collection<String> topics, Duration timeout) {
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : topics) {
            Integer count = partitions.get(topic);
            for (int p = 0; count != null && p < count; p++) {
                tps.add(new TopicPartition(topic, p));
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        if (tps.isEmpty()) {
            return out;
        }
        GroupLagSample sample = new LagSampler(admin, timeout).sample(group, tps);
        if (sample instanceof GroupLagSample.Failed failed) {
            throw new JobstreamException("cannot read the lag of group " + group + ": " + failed.error());
        }
        ((GroupLagSample.Read) sample)
                .partitions()
                .forEach(p -> out.merge(p.partition().topic(), p.lag(), Long::sum));
        return out;
    }

    /** Grows each of {@code topics} to {@code count} partitions in one request; all or, per topic, an error. */
    static void grow(Admin admin, Collection<String> topics, int count, Duration timeout) {
        Map<String, NewPartitions> request = new LinkedHashMap<>();
        topics.forEach(topic -> request.put(topic, NewPartitions.increaseTo(count)));
        List<String> problems = new ArrayList<>();
        var result = admin.createPartitions(request).values();
        for (String topic : topics) {
            try {
                result.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                problems.add(topic + ": " + e.getCause().getMessage());
            } catch (TimeoutException e) {
                problems.add(topic + ": no answer within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobstreamException("interrupted while adding partitions", e);
            }
        }
        if (!problems.isEmpty()) {
            throw new JobstreamException("adding partitions failed: " + String.join("; ", problems));
        }
    }

    /** {@code <router application id>-routed-attempts-changelog} of {@code queue}. */
    static String routerChangelog(String queue) {
        return Names.dlqRouter(queue) + ROUTER_CHANGELOG_SUFFIX;
    }

    private static boolean belongsTo(String queue, String name) {
        return name.equals(queue)
                || name.equals(Topics.failed(queue))
                || name.equals(Topics.dlq(queue))
                || name.equals(Topics.dlqReplayed(queue))
                || name.equals(Topics.events(queue))
                || isTier(queue, name)
                || name.equals(routerChangelog(queue));
    }

    private static boolean isTier(String queue, String name) {
        String prefix = queue + ".delay.";
        if (!name.startsWith(prefix)) {
            return false;
        }
        try {
            Topics.parseTier(name.substring(prefix.length()));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The queue, {@code .failed}, the tiers (shortest first), {@code .dlq}, {@code .dlq.replayed}, {@code .events}, the
     * router's changelog.
     */
    private static List<String> order(String queue, List<String> names) {
        List<String> out = new ArrayList<>();
        if (names.contains(queue)) {
            out.add(queue);
        }
        if (names.contains(Topics.failed(queue))) {
            out.add(Topics.failed(queue));
        }
        names.stream()
                .filter(name -> isTier(queue, name))
                .sorted(java.util.Comparator.comparing(
                        name -> Topics.parseTier(name.substring((queue + ".delay.").length()))))
                .forEach(out::add);
        for (String name :
                List.of(Topics.dlq(queue), Topics.dlqReplayed(queue), Topics.events(queue), routerChangelog(queue))) {
            if (names.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static <T> T call(org.apache.kafka.common.KafkaFuture<T> future, String what, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new JobstreamException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new JobstreamException(what + ": the brokers did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobstreamException("interrupted during " + what, e);
        }
    }
}
