package io.jobstream.dlq.alert;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One alert decision about dead letters of one {@link AlertKey}, one of the {@link Notification}s the {@link
 * AlertAggregator} hands to every {@link AlertSink}.
 *
 * @param kind why it is sent
 * @param key the queue, job type, reason and error class it is about
 * @param errorMessage the error message of the last dead letter counted (empty when none)
 * @param count dead letters it reports: 1 for {@link Kind#FIRST}, the window's count for {@link Kind#AGGREGATED}
 *     (more when pending alerts were merged while a sink was down), 0 for {@link Kind#RECOVERED}
 * @param firstJobId the id of the first job counted (empty for {@link Kind#RECOVERED})
 * @param lastJobId the id of the last job counted (empty for {@link Kind#RECOVERED})
 * @param from when the first counted dead letter was seen
 * @param to when the last counted dead letter was seen (for {@link Kind#RECOVERED}: when the quiet period ended)
 */
public record Alert(
        Kind kind,
        AlertKey key,
        String errorMessage,
        long count,
        String firstJobId,
        String lastJobId,
        Instant from,
        Instant to)
        implements Notification {
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_.:/@%+=,-]+");

    /** Why an alert is sent. */
    public enum Kind {
        /** The first dead letter of a key that was quiet: sent at once. */
        FIRST,
        /** Dead letters of a firing key counted over one window. */
        AGGREGATED,
        /** A firing key had no dead letter for the quiet period. */
        RECOVERED
    }

    public Alert {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(errorMessage, "errorMessage");
        Objects.requireNonNull(firstJobId, "firstJobId");
        Objects.requireNonNull(lastJobId, "lastJobId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
    }

    /** A copyable command replaying the dead letters this alert is about. */
    public String replayCommand() {
        return "jobstream dlq replay --queue " + quoted(key.queue()) + " --type " + quoted(key.type()) + " --reason "
                + quoted(key.reason());
    }

    /**
     * This alert with {@code later}'s count added and its last job, message and end time (a merged {@link
     * Kind#FIRST} becomes {@link Kind#AGGREGATED}: it now reports several dead letters).
     */
    public Alert mergedWith(Alert later) {
        return new Alert(
                kind == Kind.FIRST ? Kind.AGGREGATED : kind,
                key,
                later.errorMessage,
                count + later.count,
                firstJobId,
                later.lastJobId,
                from,
                later.to.isAfter(to) ? later.to : to);
    }

    /** {@code word} as one POSIX shell word: as is when it has no special characters, else single-quoted. */
    static String quoted(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
