package io.jobstream.api.internal.status;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The status store's keys: {@code <queue>/<job id>}, so one job id in two queues is two jobs, each with its own status
 * and history (job ids are per queue). Queue names hold no {@code /}, so the first {@code /} ends the queue. The
 * store stays partitioned by job id alone, as the {@code .events} topics are (Kafka's default partitioner over the
 * id's UTF-8 bytes): every queue's status of one id sits in the same store partition, so one replica answers for all
 * of them. Stateless and thread-safe.
 *
 * <p>Before issue 17 the store was keyed by job id alone; a store built then is not read by this version. Reset the
 * projection (a new {@code jobstream.status.application-id}, or {@code kafka-streams-application-reset}) and it
 * rebuilds from the {@code .events} topics, which keep 7 days.
 */
public final class StatusKeys {
    /** Partitions a store key as the job id alone would be partitioned. */
    public static final StreamPartitioner<String, Object> BY_JOB_ID =
            (topic, key, value, partitions) -> Optional.of(Set.of(partition(jobId(key), partitions)));

    private StatusKeys() {}

    /** The store key of job {@code id} on {@code queue}. */
    public static String of(String queue, String id) {
        return queue + "/" + id;
    }

    /** The job id of a store key. */
    public static String jobId(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    /** The partition Kafka's default partitioner picks for a record keyed by {@code id}. */
    static int partition(String id, int partitions) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
