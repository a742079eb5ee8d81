package io.jobstream.schemas;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of a queue's topics ({@link Names} has its consumer groups and transactional ids). A queue is the user's topic name; every other name is derived
 * from it:
 *
 * <pre>
 * emails               Job
 * emails.failed        JobFailure
 * emails.delay.5s      Job, due time in the jobstream.due-at header
 * emails.dlq           DeadLetter
 * emails.dlq.replayed  DeadLetter, the ones replayed
 * emails.events        JobEvent
 * </pre>
 *
 * <p>Queue names are lowercase letters, digits, {@code .} and {@code -} (never {@code _}), start and end with a
 * letter or digit, and are at most {@value #MAX_QUEUE_LENGTH} characters so every derived name stays within Kafka's
 * limit. Every method throws {@link IllegalArgumentException} for an invalid queue name or delay.
 */
public final class Topics {
    /** The longest queue name, leaving room for the longest suffix within Kafka's 249-character limit. */
    public static final int MAX_QUEUE_LENGTH = 200;

    private static final Pattern TIER = Pattern.compile("([1-9][0-9]{0,9})(ms|s|m|h|d)");
    private static final List<String> DERIVED_SUFFIXES = List.of(".failed", ".dlq", ".dlq.replayed", ".events");

    private Topics() {}

    /** Validates {@code queue} and returns it. */
    public static String queue(String queue) {
        Objects.requireNonNull(queue, "queue");
        if (!wellFormed(queue)) {
            throw new IllegalArgumentException("queue name '" + queue + "' is invalid: use lowercase letters, digits,"
                    + " '.' and '-' (no '_'), start and end with a letter or digit, at most " + MAX_QUEUE_LENGTH
                    + " characters");
        }
        return queue;
    }

    /**
     * The rule of the class comment, checked character by character: the router and the processor check their queue
     * on every derived name, and a regular expression there was a tenth of the router's time per record.
     */
    private static boolean wellFormed(String queue) {
        int length = queue.length();
        if (length == 0 || length > MAX_QUEUE_LENGTH) {
            return false;
        }
        char previous = '.';
        for (int i = 0; i < length; i++) {
            char c = queue.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alphanumeric && c != '.' && c != '-') {
                return false;
            }
            if (c == '.' && previous == '.') {
                return false; // ".." anywhere, or a leading '.'
            }
            previous = c;
        }
        return isAlphanumeric(queue.charAt(0)) && isAlphanumeric(queue.charAt(length - 1));
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** Whether {@code queue} is a valid queue name. */
    public static boolean isValidQueue(String queue) {
        try {
            queue(queue);
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /**
     * Why {@code topic} can never be a queue, or empty when its name may be one. Not a queue, whatever exists on the
     * brokers: a derived topic ({@code <q>.failed}, {@code <q>.delay.<tier>}, {@code <q>.dlq}, {@code
     * <q>.dlq.replayed}, {@code <q>.events}), Kafka's and other tools' internal topics ({@code _*}, e.g. {@code
     * __consumer_offsets}, {@code _schemas}), Jobstream's own ({@code jobstream.*}, {@code jobstream-*}: the
     * scheduler's marker topic, the Kafka Streams applications) and any Kafka Streams internal topic ({@code
     * *-changelog}, {@code *-repartition}). A name passing this is a queue only once {@code jobstream topics create}
     * made it (the publisher and the API check its {@code .failed} sibling too). The text names the rule, not the
     * topic.
     */
    public static Optional<String> notAQueue(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.startsWith("_")) {
            return Optional.of("topics starting with '_' are internal to Kafka and its tools");
        }
        if (topic.startsWith("jobstream.") || topic.startsWith("jobstream-")) {
            return Optional.of("topics starting with 'jobstream.' or 'jobstream-' are Jobstream's own");
        }
        if (topic.endsWith("-changelog") || topic.endsWith("-repartition")) {
            return Optional.of("topics ending with '-changelog' or '-repartition' are internal to Kafka Streams");
        }
        for (String suffix : DERIVED_SUFFIXES) {
            if (topic.endsWith(suffix) && topic.length() > suffix.length()) {
                return Optional.of("topics ending with '" + suffix + "' are derived from a queue");
            }
        }
        int delay = topic.lastIndexOf(".delay.");
        if (delay > 0
                && TIER.matcher(topic.substring(delay + ".delay.".length())).matches()) {
            return Optional.of("topics ending with '.delay.<tier>' are a queue's delay tiers");
        }
        return Optional.empty();
    }

    /** {@code <queue>.failed}: failed attempts ({@link JobFailure}). */
    public static String failed(String queue) {
        return queue(queue) + ".failed";
    }

    /** {@code <queue>.delay.<tier>}, the tier named by {@link #tierName(Duration)} (e.g. {@code emails.delay.5s}). */
    public static String delay(String queue, Duration tier) {
        return queue(queue) + ".delay." + tierName(tier);
    }

    /** {@code <queue>.delay.<tier>} for a tier written like {@code 5s}, {@code 500ms}, {@code 1m}, {@code 6h}. */
    public static String delay(String queue, String tier) {
        return delay(queue, parseTier(tier));
    }

    /** {@code <queue>.dlq}: dead letters ({@link DeadLetter}). */
    public static String dlq(String queue) {
        return queue(queue) + ".dlq";
    }

    /** {@code <queue>.dlq.replayed}: dead letters that were replayed. */
    public static String dlqReplayed(String queue) {
        return queue(queue) + ".dlq.replayed";
    }

    /** {@code <queue>.events}: lifecycle events ({@link JobEvent}). */
    public static String events(String queue) {
        return queue(queue) + ".events";
    }

    /**
     * The canonical name of a delay tier: the largest of {@code d}, {@code h}, {@code m}, {@code s}, {@code ms} that
     * divides it exactly ({@code 5s}, {@code 1m} for 60 seconds, {@code 90s}, {@code 1500ms}).
     */
    public static String tierName(Duration tier) {
        Objects.requireNonNull(tier, "tier");
        if (tier.isNegative() || tier.isZero() || tier.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(
                    "delay tier must be a positive whole number of milliseconds, got " + tier);
        }
        long millis = tier.toMillis();
        if (millis % 86_400_000L == 0) {
            return millis / 86_400_000L + "d";
        }
        if (millis % 3_600_000L == 0) {
            return millis / 3_600_000L + "h";
        }
        if (millis % 60_000L == 0) {
            return millis / 60_000L + "m";
        }
        if (millis % 1_000L == 0) {
            return millis / 1_000L + "s";
        }
        return millis + "ms";
    }

    /** Parses a tier written like {@code 5s}, {@code 500ms}, {@code 1m}, {@code 6h}, {@code 1d}. */
    public static Duration parseTier(String tier) {
        Objects.requireNonNull(tier, "tier");
        Matcher m = TIER.matcher(tier.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "delay tier '" + tier + "' is invalid: use a positive number and ms, s, m, h or d (e.g. 5s)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
