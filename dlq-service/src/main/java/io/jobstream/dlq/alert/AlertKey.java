package io.jobstream.dlq.alert;

import java.util.Objects;

/**
 * What dead letters are aggregated by: one alert stream per queue, job type, failure reason and error class.
 *
 * @param queue the queue
 * @param type the job type ({@code unknown} for a dead letter without a decodable job)
 * @param reason the failure reason, e.g. {@code HANDLER_ERROR}
 * @param errorClass the exception class name, empty when the failure has none
 */
public record AlertKey(String queue, String type, String reason, String errorClass) {
    public AlertKey {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(errorClass, "errorClass");
    }
}
