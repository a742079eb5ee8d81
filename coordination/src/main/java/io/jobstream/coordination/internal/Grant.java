package io.jobstream.coordination.internal;

import java.time.Duration;

/**
 * A store's answer to an acquisition: granted (with a fencing token for locks), done (idempotency claims), or busy
 * with a hint of when to try again ({@link Duration#ZERO} when unknown).
 */
public record Grant(Status status, long token, Duration retryAfter) {

    public enum Status {
        GRANTED,
        BUSY,
        DONE
    }

    public static Grant granted(long token) {
        return new Grant(Status.GRANTED, token, Duration.ZERO);
    }

    public static Grant busy(Duration retryAfter) {
        return new Grant(Status.BUSY, 0, retryAfter.isNegative() ? Duration.ZERO : retryAfter);
    }

    public static Grant alreadyDone() {
        return new Grant(Status.DONE, 0, Duration.ZERO);
    }

    public boolean granted() {
        return status == Status.GRANTED;
    }

    public boolean done() {
        return status == Status.DONE;
    }

    /**
     * Parses a script's answer: {@code granted:<token>}, {@code done}, or {@code busy:<microseconds>}.
     *
     * @throws IllegalStateException for anything else
     */
    static Grant parse(String answer) {
        if (answer == null) {
            throw new IllegalStateException("script answered nothing");
        }
        int colon = answer.indexOf(':');
        String status = colon < 0 ? answer : answer.substring(0, colon);
        String value = colon < 0 ? "0" : answer.substring(colon + 1);
        return switch (status) {
            case "granted" -> granted(Long.parseLong(value));
            case "done" -> alreadyDone();
            case "busy" -> busy(Duration.ofNanos(Math.max(0, Long.parseLong(value)) * 1000));
            default -> throw new IllegalStateException("unexpected script answer '" + answer + "'");
        };
    }
}
