package io.jobstream.producer;

/**
 * How the publisher picks a job's partition of the queue topic (the Kafka form of queue sharding). Delayed jobs are
 * always placed on their tier topic by key ({@link #HASH}).
 */
public enum PartitionStrategy {
    /**
     * Kafka's default partitioner over the record key (the ordering key, else the job id): jobs with one ordering key
     * share a partition and run in order. The default; the only one that keeps order.
     */
    HASH,
    /**
     * Each next job to the next partition, ignoring the key: even spread for jobs whose order does not matter, also
     * when a few ordering keys dominate.
     */
    ROUND_ROBIN,
    /**
     * The partition with the smallest backlog: the consumer lag of group {@code <queue>.workers} from a periodically
     * refreshed snapshot, plus the jobs this publisher sent there since. For jobs whose order does not matter when
     * some partitions drain slower than others (slow or stuck workers). Falls back to {@link #HASH} until the first
     * snapshot exists.
     */
    LEAST_LOADED
}
