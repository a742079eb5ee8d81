package io.jobstream.processor.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One fetched record on its way through the processor, with the progress of the partition it was fetched for (a new
 * one after each assignment, so completions of a revoked assignment are recognised as stale).
 *
 * @param record the record
 * @param partition its partition
 * @param progress the progress of the assignment it was fetched under
 */
public record Work(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, PartitionProgress progress) {

    /** The record's offset. */
    public long offset() {
        return record.offset();
    }

    /** The record key, the job's ordering key or id; null when the record has none. */
    public byte[] key() {
        return record.key();
    }

    @Override
    public String toString() {
        return "Work[" + partition + "@" + record.offset() + "]";
    }
}
