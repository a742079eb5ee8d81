package io.jobstream.runtime;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One meter of a module's catalogue ({@link MeterCatalogue}): its name in dot notation, type, description, base unit
 * and tag keys. The exported name is derived from it (Prometheus: snake_case, plus {@code _<baseUnit>}, {@code _total}
 * for counters, {@code _seconds} for timers), so the name itself carries neither a unit nor {@code total}.
 *
 * @param name dot-separated lower-case nouns, starting with {@code jobstream.}
 * @param type counter, gauge, timer or distribution summary
 * @param description one sentence: what one unit of the meter is
 * @param baseUnit the unit ({@code seconds} for timers, set by the registry), or {@code null} for plain counts
 * @param tagKeys the tags every series of the meter carries, all bounded
 */
public record MeterSpec(String name, Meter.Type type, String description, String baseUnit, List<String> tagKeys) {
    private static final Pattern NAME = Pattern.compile("jobstream(\\.[a-z][a-z0-9-]*)+");
    private static final Pattern UNIT_OR_TOTAL =
            Pattern.compile(".*\\.(total|count|seconds|millis|milliseconds|nanos|bytes|ms|percent)$");
    private static final List<Meter.Type> TYPES =
            List.of(Meter.Type.COUNTER, Meter.Type.GAUGE, Meter.Type.TIMER, Meter.Type.DISTRIBUTION_SUMMARY);

    /** Checks the name (dot notation, no unit, no {@code total}), the type and the tag keys. */
    public MeterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        tagKeys = List.copyOf(tagKeys);
        if (!NAME.matcher(name).matches() || UNIT_OR_TOTAL.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "meter name " + name + ": dot-separated nouns under jobstream., without unit or total");
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException(name + ": type " + type + " is not one of " + TYPES);
        }
        if (type == Meter.Type.TIMER && baseUnit != null && !baseUnit.equals("seconds")) {
            throw new IllegalArgumentException(name + ": a timer's base unit is the registry's (seconds)");
        }
        if (description.isBlank()) {
            throw new IllegalArgumentException(name + ": no description");
        }
        if (tagKeys.stream().distinct().count() != tagKeys.size()
                || tagKeys.contains("job")
                || tagKeys.contains("instance")) {
            throw new IllegalArgumentException(name + ": tag keys " + tagKeys + " repeat or are unbounded");
        }
    }

    /** A counter. */
    public static MeterSpec counter(String name, String description, String baseUnit, String... tagKeys) {
        return new MeterSpec(name, Meter.Type.COUNTER, description, baseUnit, List.of(tagKeys));
    }

    /** A gauge. */
    public static MeterSpec gauge(String name, String description, String baseUnit, String... tagKeys) {
        return new MeterSpec(name, Meter.Type.GAUGE, description, baseUnit, List.of(tagKeys));
    }

    /** A timer (base unit seconds: the registry's). */
    public static MeterSpec timer(String name, String description, String... tagKeys) {
        return new MeterSpec(name, Meter.Type.TIMER, description, "seconds", List.of(tagKeys));
    }

    /** A distribution summary. */
    public static MeterSpec distribution(String name, String description, String baseUnit, String... tagKeys) {
        return new MeterSpec(name, Meter.Type.DISTRIBUTION_SUMMARY, description, baseUnit, List.of(tagKeys));
    }

    /** The type as the docs name it: counter, gauge, timer, distribution. */
    public String typeName() {
        return type == Meter.Type.DISTRIBUTION_SUMMARY
                ? "distribution"
                : type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Checks that {@code tags} (key, value, key, value...) has exactly this meter's tag keys.
     *
     * @throws IllegalArgumentException when a key is missing or not in the catalogue, or a value is null
     */
    String[] checkTags(Meter.Type asType, String... tags) {
        if (asType != type) {
            throw new IllegalArgumentException(name + " is a " + typeName() + ", not a " + asType);
        }
        if (tags.length != 2 * tagKeys.size()) {
            throw new IllegalArgumentException(name + " takes the tags " + tagKeys + ", not " + List.of(tags));
        }
        for (int i = 0; i < tags.length; i += 2) {
            if (!tagKeys.contains(tags[i]) || tags[i + 1] == null) {
                throw new IllegalArgumentException(name + " takes the tags " + tagKeys + ", not " + List.of(tags));
            }
        }
        for (String key : tagKeys) {
            boolean present = false;
            for (int i = 0; i < tags.length; i += 2) {
                present |= tags[i].equals(key);
            }
            if (!present) {
                throw new IllegalArgumentException(name + " takes the tags " + tagKeys + ", not " + List.of(tags));
            }
        }
        return tags;
    }
}
