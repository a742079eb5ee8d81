package io.jobstream.producer;

import java.util.List;
import java.util.Objects;

/**
 * What {@link QueueTopics#create} did: which of the queue's topics it created and which already existed (and were left
 * as they are).
 *
 * @param queue the queue
 * @param created the topics created now
 * @param existing the topics that already existed
 */
public record QueueTopicsResult(String queue, List<String> created, List<String> existing) {
    /** Copies the lists. */
    public QueueTopicsResult {
        Objects.requireNonNull(queue, "queue");
        created = List.copyOf(created);
        existing = List.copyOf(existing);
    }

    /** Every topic of the queue, created or existing. */
    public List<String> topics() {
        return java.util.stream.Stream.concat(created.stream(), existing.stream())
                .toList();
    }
}
