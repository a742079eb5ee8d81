package io.jobstream.scheduler;

import io.jobstream.producer.JobRejectedException;
import io.jobstream.producer.Jobs;
import io.jobstream.scheduler.internal.CronTicks;
import io.jobstream.schemas.Topics;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One cron entry of the {@link CronScheduler}: at each tick of {@code cron} (in {@code zone}), a job of {@code type}
 * with {@code payload} (JSON) is published to {@code queue}.
 *
 * <p>{@code cron} is a five-field Unix expression ({@code 0 9 * * 1-5}), a macro ({@code @hourly}, {@code @daily},
 * {@code @midnight}, {@code @weekly}, {@code @monthly}, {@code @yearly}, {@code @annually}) or {@code @every
 * <duration>} ({@code @every 5m}, ticks aligned to multiples of the duration since the epoch, so every replica
 * computes the same ticks).
 *
 * @param name the schedule's name ({@code [a-z0-9_.-]+}), part of each fire's deterministic job id
 * @param orderingKey optional ordering key of the published jobs
 * @param maxAttempts optional max attempts of the published jobs
 */
public record Schedule(
        String name,
        String cron,
        ZoneId zone,
        String queue,
        String type,
        String payload,
        Optional<String> orderingKey,
        Optional<Integer> maxAttempts,
        MisfirePolicy misfire) {

    /** Validates every field; the message names the field and the schedule. */
    public Schedule {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9_.-]+")) {
            throw new IllegalArgumentException("schedule name '" + name + "' must match [a-z0-9_.-]+");
        }
        Objects.requireNonNull(cron, "cron of schedule " + name);
        zone = zone == null ? ZoneId.of("UTC") : zone;
        if (queue == null || !Topics.isValidQueue(queue)) {
            throw new IllegalArgumentException(
                    "schedule " + name + ": queue '" + queue + "' is not a valid queue name");
        }
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("schedule " + name + ": type is required");
        }
        payload = payload == null || payload.isBlank() ? "{}" : payload;
        orderingKey = orderingKey == null ? Optional.empty() : orderingKey;
        maxAttempts = maxAttempts == null ? Optional.empty() : maxAttempts;
        misfire = misfire == null ? MisfirePolicy.SKIP : misfire;
        CronTicks.parse(cron, zone); // fails naming the expression when it is invalid
        // The type and key every tick's job carries pass the publisher's checks now, at start-up, not at each tick.
        Jobs.Builder probe = Jobs.builder(type);
        orderingKey.ifPresent(probe::orderingKey);
        try {
            probe.build();
        } catch (JobRejectedException e) {
            throw new IllegalArgumentException("schedule " + name + ": " + e.getMessage(), e);
        }
    }

    /** A schedule with the defaults: UTC, payload {@code {}}, no key, skip misfires. */
    public static Schedule of(String name, String cron, String queue, String type) {
        return new Schedule(
                name, cron, null, queue, type, null, Optional.empty(), Optional.empty(), MisfirePolicy.SKIP);
    }

    /** This schedule with another payload (JSON). */
    public Schedule withPayload(String json) {
        return new Schedule(name, cron, zone, queue, type, json, orderingKey, maxAttempts, misfire);
    }

    /** This schedule with another misfire policy. */
    public Schedule withMisfire(MisfirePolicy policy) {
        return new Schedule(name, cron, zone, queue, type, payload, orderingKey, maxAttempts, policy);
    }

    /** This schedule in another time zone. */
    public Schedule withZone(ZoneId timeZone) {
        return new Schedule(name, cron, timeZone, queue, type, payload, orderingKey, maxAttempts, misfire);
    }

    /** The ticks in {@code (after, upTo]}, oldest first, at most {@code limit}. */
    public List<Instant> ticks(Instant after, Instant upTo, int limit) {
        return CronTicks.parse(cron, zone).between(after, upTo, limit);
    }

    /** The latest tick at or before {@code at}, if any. */
    public Optional<Instant> lastTick(Instant at) {
        return CronTicks.parse(cron, zone).lastAtOrBefore(at);
    }
}
