package io.jobstream.scheduler.internal;

import io.jobstream.schemas.Job;
import java.time.Instant;
import java.util.Map;

/**
 * The cron scheduler's durable record of fired ticks: each tick's job is written together with the schedule's
 * marker (its last fired tick), atomically, by one writer at a time. {@link KafkaTickLog} keeps it in Kafka; tests use
 * an in-memory twin.
 *
 * <p>Not thread-safe: the scheduler's one thread calls it.
 */
public interface TickLog extends AutoCloseable {

    /**
     * Becomes the only writer, fencing any earlier one (whose unfinished write is rolled back or completed first), and
     * reads the last fired tick of each schedule.
     *
     * @return schedule name to its last fired tick; a schedule that never fired is absent
     * @throws Exception when the log cannot be opened now (the caller tries again later)
     */
    Map<String, Instant> open() throws Exception;

    /**
     * Writes {@code job} to {@code queue} and records {@code tick} as the last fired tick of {@code schedule}: both or
     * neither. After it throws, whether the write happened is known only to the next {@link #open()}.
     *
     * @throws IllegalStateException when not open
     * @throws Exception when the write failed or may have failed, or another writer took over (fenced)
     */
    void fire(String schedule, Instant tick, String queue, Job job) throws Exception;

    /** Gives up writing; idempotent. */
    @Override
    void close();
}
