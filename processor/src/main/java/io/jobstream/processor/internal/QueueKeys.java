package io.jobstream.processor.internal;

import java.util.Objects;

/**
 * The names a worker of one queue gives the coordination store (and so every Redis key): {@code <queue>/<name>}, so
 * that job ids, locks, semaphores and rate limiters are per queue. The same job id in two queues is two jobs, each
 * claimed and marked done on its own; a lock template ({@code acct-${payload.id}}) resolves inside its queue and can
 * never name another queue's lock. Queue names hold no {@code /}, so a queue's names never share a prefix with another
 * queue's.
 *
 * <p>A job id is {@link #escape escaped} before it is scoped, so an id written by another producer (any text) is a
 * valid name: {@code %}, {@code /}, braces and control characters become {@code %XX}.
 *
 * <p><b>One-time change</b> (issue 17): names were not scoped before, so the done-markers, locks and permits written by
 * earlier versions are not seen: a job that succeeded before the upgrade and is redelivered after it may run once
 * more. Stateless and thread-safe.
 */
public final class QueueKeys {
    private QueueKeys() {}

    /** The idempotency-guard name of job {@code jobId} on {@code queue}. */
    public static String jobId(String queue, String jobId) {
        return queue + "/" + escape(jobId);
    }

    /**
     * The store name of a lock, semaphore or rate limiter {@code name} of {@code queue}. A resolved lock template is
     * already escaped ({@link io.jobstream.processor.KeyTemplate}); a configured name is the operator's.
     */
    public static String name(String queue, String name) {
        return Objects.requireNonNull(queue, "queue") + "/" + Objects.requireNonNull(name, "name");
    }

    /**
     * {@code value} with {@code %}, {@code /}, {@code {}, {@code }} and control characters written as {@code %XX}
     * (UTF-16 units above {@code 0xFF} as {@code %uXXXX}), so an expanded value can neither pose as a separator nor
     * break a Redis hash tag. Values without those characters are returned as they are.
     */
    public static String escape(String value) {
        int i = 0;
        while (i < value.length() && !special(value.charAt(i))) {
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 8).append(value, 0, i);
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!special(c)) {
                out.append(c);
            } else if (c <= 0xFF) {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            } else {
                out.append("%u").append(String.format("%04X", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean special(char c) {
        return c == '%' || c == '/' || c == '{' || c == '}' || Character.isISOControl(c);
    }
}
