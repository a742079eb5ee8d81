package io.jobstream.runtime.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and formatting of setting values: durations ({@code 250ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 1h30m}, ISO-8601 {@code PT30S}), sizes ({@code 512KiB}, {@code 1MiB}, bytes)
 * and the scalar types. Parsers throw {@link IllegalArgumentException}; the caller adds the key.
 */
public final class Values {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h|d))+");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");
    private static final String[] SIZE_UNITS = {"TiB", "GiB", "MiB", "KiB"};
    private static final long[] SIZE_FACTORS = {1L << 40, 1L << 30, 1L << 20, 1L << 10};

    private Values() {}

    /** Parses a non-negative duration. */
    public static Duration parseDuration(String text) {
        String s = text.strip();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                Duration d = Duration.parse(s);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("negative duration");
                }
                return d;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration", e);
            }
        }
        if (!DURATION.matcher(s).matches()) {
            throw new IllegalArgumentException("not a duration");
        }
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        case "d" -> Duration.ofDays(n);
                        default -> throw new IllegalStateException(m.group(2));
                    });
        }
        return total;
    }

    /** Formats a duration the way {@link #parseDuration} reads it, e.g. {@code 1h30m}, {@code 250ms}. */
    public static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        StringBuilder out = new StringBuilder();
        long days = d.toDays();
        if (days > 0) {
            out.append(days).append('d');
        }
        appendIfPositive(out, d.toHoursPart(), "h");
        appendIfPositive(out, d.toMinutesPart(), "m");
        appendIfPositive(out, d.toSecondsPart(), "s");
        appendIfPositive(out, d.toMillisPart(), "ms");
        return out.toString();
    }

    private static void appendIfPositive(StringBuilder out, long n, String unit) {
        if (n > 0) {
            out.append(n).append(unit);
        }
    }

    /** Parses a size in bytes: a plain number, or a number with B, KiB, MiB, GiB or TiB. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit == null || unit.equals("B")) {
            return n;
        }
        for (int i = 0; i < SIZE_UNITS.length; i++) {
            if (SIZE_UNITS[i].equals(unit)) {
                return Math.multiplyExact(n, SIZE_FACTORS[i]);
            }
        }
        throw new IllegalStateException(unit);
    }

    /** Formats a byte count with the largest binary unit that divides it exactly. */
    public static String formatSize(long bytes) {
        if (bytes > 0) {
            for (int i = 0; i < SIZE_UNITS.length; i++) {
                if (bytes % SIZE_FACTORS[i] == 0) {
                    return bytes / SIZE_FACTORS[i] + SIZE_UNITS[i];
                }
            }
        }
        return bytes + "B";
    }

    /** Parses {@code true} or {@code false}, ignoring case. */
    public static boolean parseBoolean(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    /** Parses a finite double. */
    public static double parseDouble(String text) {
        double d = Double.parseDouble(text.strip());
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("not a finite number");
        }
        return d;
    }

    /** Splits a comma-separated list, trimming items and dropping empty ones. */
    public static List<String> parseList(String text) {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            String s = item.strip();
            if (!s.isEmpty()) {
                items.add(s);
            }
        }
        return List.copyOf(items);
    }

    /** Finds the enum constant whose name or {@code toString()} matches, ignoring case and {@code -}/{@code _}. */
    public static <E extends Enum<E>> E parseEnum(Class<E> type, String text) {
        String wanted = normaliseEnumName(text);
        for (E constant : type.getEnumConstants()) {
            if (normaliseEnumName(constant.name()).equals(wanted)
                    || normaliseEnumName(constant.toString()).equals(wanted)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("not one of the allowed values");
    }

    private static String normaliseEnumName(String s) {
        return s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Renders a value for messages and docs: durations and sizes in their config syntax. */
    public static String describe(Object value) {
        if (value instanceof Duration d) {
            return formatDuration(d);
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(Values::describe).toList());
        }
        return String.valueOf(value);
    }
}
