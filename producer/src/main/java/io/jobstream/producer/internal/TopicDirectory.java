package io.jobstream.producer.internal;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/** Whether topics exist, and their partition counts. Implementations are thread-safe. */
public interface TopicDirectory extends AutoCloseable {
    /**
     * The number of partitions of {@code topic}, or empty when it does not exist. Answers from a cache when it can,
     * otherwise asks the brokers and waits at most {@code timeout}.
     *
     * @throws TimeoutException when the brokers did not answer within {@code timeout}
     * @throws org.apache.kafka.common.KafkaException for another failure (e.g. not authorized)
     */
    OptionalInt partitions(String topic, Duration timeout) throws TimeoutException, InterruptedException;

    /**
     * The topic's {@code max.message.bytes} when known (learned in the background once a topic was found; empty
     * before that, or when the brokers do not say): the largest record batch the topic takes. Never blocks.
     */
    default OptionalLong maxMessageBytes(String topic) {
        return OptionalLong.empty();
    }

    @Override
    void close();
}
