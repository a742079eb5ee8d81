package io.jobstream.dlq.replay;

import io.jobstream.schemas.Topics;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What to replay and how.
 *
 * @param filter which dead letters
 * @param toQueue the queue to republish to; empty for the filter's queue; never a derived or internal topic
 *     ({@link Topics#notAQueue})
 * @param ratePerSecond the most jobs republished per second; empty for no limit
 * @param dryRun only report what would be replayed; write nothing
 * @param force replay dead letters even when already replayed
 */
public record ReplayRequest(
        ReplayFilter filter, Optional<String> toQueue, OptionalDouble ratePerSecond, boolean dryRun, boolean force) {
    public ReplayRequest {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(toQueue, "toQueue");
        toQueue.ifPresent(Topics::queue);
        toQueue.flatMap(Topics::notAQueue).ifPresent(why -> {
            // Only queues take jobs (issue 17): a replay into .dlq/.events/... would forge records there.
            throw new IllegalArgumentException("'" + toQueue.get() + "' is not a queue: " + why);
        });
        Objects.requireNonNull(ratePerSecond, "ratePerSecond");
        if (ratePerSecond.isPresent() && !(ratePerSecond.getAsDouble() > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond.getAsDouble());
        }
    }

    /** Replays what {@code filter} matches to its own queue, unthrottled, skipping dead letters already replayed. */
    public static ReplayRequest of(ReplayFilter filter) {
        return new ReplayRequest(filter, Optional.empty(), OptionalDouble.empty(), false, false);
    }

    public ReplayRequest asDryRun() {
        return new ReplayRequest(filter, toQueue, ratePerSecond, true, force);
    }

    public ReplayRequest asForced() {
        return new ReplayRequest(filter, toQueue, ratePerSecond, dryRun, true);
    }

    public ReplayRequest toQueue(String queue) {
        return new ReplayRequest(filter, Optional.of(queue), ratePerSecond, dryRun, force);
    }

    public ReplayRequest rate(double perSecond) {
        return new ReplayRequest(filter, toQueue, OptionalDouble.of(perSecond), dryRun, force);
    }

    /** The queue jobs go back to. */
    public String targetQueue() {
        return toQueue.orElse(filter.queue());
    }
}
