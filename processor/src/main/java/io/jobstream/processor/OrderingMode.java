package io.jobstream.processor;

/** How a processor orders the jobs of one partition ({@code jobstream.worker.ordering}). */
public enum OrderingMode {
    /**
     * One job in flight per ordering key (the record key: the job's ordering key, else its id), in partition order;
     * different keys run concurrently, far beyond the partition count. Records without a key are unordered. The
     * default.
     */
    KEY,
    /** One job in flight per partition, in partition order. */
    PARTITION,
    /** No ordering: every job may start as soon as there is capacity. */
    UNORDERED
}
