package io.jobstream.dlq.retry.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a renamed consumer group's committed offsets over to its new name, once: when the new group has committed
 * nothing and the old one has, the old group's offsets are written to the new group (Admin {@code
 * alterConsumerGroupOffsets}) before anything joins it, so a role upgraded to the new name neither re-reads nor skips
 * what the old name had reached. Logs one line when it does; the old group is left as it was (delete it once the
 * upgrade is done).
 *
 * <p>Runs before the new group's members start: Kafka refuses to alter the offsets of a group with active members.
 * The old group's members must be gone too (the previous version stopped), or they keep committing under the old name
 * after the copy. Not being allowed to read the old group (no ACL for it, as on a fresh install with ACLs) means there
 * is nothing to carry over.
 *
 * <p>Threading: blocking calls on the caller's thread. Failure contract: a Kafka error other than authorization on
 * the old group, or no answer within the timeout, is thrown as {@link IllegalStateException} naming both groups.
 */
public final class RenamedGroupOffsets {
    private static final Logger LOG = LoggerFactory.getLogger(RenamedGroupOffsets.class);

    private RenamedGroupOffsets() {}

    /**
     * Copies {@code from}'s committed offsets to {@code to} when {@code to} has none.
     *
     * @return the offsets copied; empty when {@code to} already had offsets, or {@code from} has none or cannot be read
     */
    public static Map<TopicPartition, OffsetAndMetadata> carryOver(
            Admin admin, String from, String to, Duration timeout) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        try {
            if (!committed(admin, to, timeout).isEmpty()) {
                return Map.of();
            }
            Map<TopicPartition, OffsetAndMetadata> old;
            try {
                old = committed(admin, from, timeout);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupAuthorizationException
                        || e.getCause() instanceof TopicAuthorizationException) {
                    LOG.info(
                            "consumer group {} has no committed offsets and {} (its name before) cannot be read: {};"
                                    + " starting from the beginning (grant DESCRIBE on group {} to carry its offsets"
                                    + " over when upgrading)",
                            to,
                            from,
                            e.getCause().getMessage(),
                            from);
                    return Map.of();
                }
                throw e;
            }
            if (old.isEmpty()) {
                return Map.of();
            }
            admin.alterConsumerGroupOffsets(to, old).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info(
                    "consumer group renamed: carried the committed offsets of {} partitions over from={} to={}"
                            + " (delete group {} once no older version runs)",
                    old.size(),
                    from,
                    to,
                    from);
            return old;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot carry the committed offsets of consumer group " + from + " over to " + to + ": "
                            + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot carry the committed offsets of consumer group " + from + " over to "
                    + to + ": no answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while carrying consumer group offsets over to " + to, e);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, offset) -> {
                    if (offset != null) {
                        committed.put(partition, offset);
                    }
                });
        return committed;
    }
}
