package io.jobstream.runtime;

import io.jobstream.runtime.internal.Values;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The type of a {@link ConfigKey}: how a raw value (text from the file or an env var, or a typed
 * object from explicit overrides) becomes a Java value, and how a value is written back in docs.
 *
 * @param <T> the Java type of the values
 */
public final class ConfigType<T> {
    /** Text, taken as written. */
    public static final ConfigType<String> STRING =
            new ConfigType<>("string", "a string", String.class, raw -> raw.toString(), String::valueOf);

    /** A 32-bit integer. */
    public static final ConfigType<Integer> INT = new ConfigType<>(
            "int",
            "an integer",
            Integer.class,
            raw -> Integer.parseInt(raw.toString().strip()),
            String::valueOf);

    /** A 64-bit integer. */
    public static final ConfigType<Long> LONG = new ConfigType<>(
            "long",
            "an integer",
            Long.class,
            raw -> Long.parseLong(raw.toString().strip()),
            String::valueOf);

    /** {@code true} or {@code false}. */
    public static final ConfigType<Boolean> BOOLEAN = new ConfigType<>(
            "boolean", "true or false", Boolean.class, raw -> Values.parseBoolean(raw.toString()), String::valueOf);

    /** A finite decimal number. */
    public static final ConfigType<Double> DOUBLE = new ConfigType<>(
            "double", "a number", Double.class, raw -> Values.parseDouble(raw.toString()), String::valueOf);

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, {@code 1h30m} or ISO-8601. */
    public static final ConfigType<Duration> DURATION = new ConfigType<>(
            "duration",
            "a duration such as 250ms, 30s, 5m or 1h",
            Duration.class,
            raw -> Values.parseDuration(raw.toString()),
            Values::formatDuration);

    /** A size in bytes: a plain number, or with a binary unit: {@code 512KiB}, {@code 1MiB}, {@code 2GiB}. */
    public static final ConfigType<Long> SIZE = new ConfigType<>(
            "size",
            "a size such as 512KiB, 1MiB or a number of bytes",
            Long.class,
            raw -> Values.parseSize(raw.toString()),
            Values::formatSize);

    /** A list of strings: a YAML sequence, or text separated by commas. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final ConfigType<List<String>> LIST = new ConfigType<>(
            "list",
            "a list (a YAML sequence or comma-separated text)",
            (Class) List.class,
            ConfigType::parseList,
            list -> String.join(",", list));

    /** A secret; its value never appears in {@code toString()}, logs or error messages. */
    public static final ConfigType<Password> PASSWORD =
            new ConfigType<>("password", "a string", Password.class, raw -> Password.of(raw.toString()), p -> "");

    /**
     * A map of free-form settings under a prefix: key {@code jobstream.kafka.properties} collects
     * {@code jobstream.kafka.properties.linger.ms: 5} as {@code linger.ms → "5"}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final ConfigType<Map<String, String>> MAP = new ConfigType<>(
            "map", "a map of settings", (Class) Map.class, ConfigType::parseMap, map -> map.toString());

    private final String name;
    private final String expected;
    private final Class<T> javaType;
    private final Function<Object, T> parser;
    private final Function<T, String> formatter;

    private ConfigType(
            String name,
            String expected,
            Class<T> javaType,
            Function<Object, T> parser,
            Function<T, String> formatter) {
        this.name = name;
        this.expected = expected;
        this.javaType = javaType;
        this.parser = parser;
        this.formatter = formatter;
    }

    /** One of the constants of {@code type}, matched ignoring case and {@code -}/{@code _}. */
    public static <E extends Enum<E>> ConfigType<E> enumOf(Class<E> type) {
        String allowed = String.join(
                ", ",
                Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
        return new ConfigType<>(
                "enum (" + allowed + ")",
                "one of " + allowed,
                type,
                raw -> Values.parseEnum(type, raw.toString()),
                Object::toString);
    }

    /** Short name for docs: {@code int}, {@code duration}, {@code enum (A, B)}. */
    public String name() {
        return name;
    }

    /** What a valid value looks like, for error messages: "a duration such as 250ms, 30s, 5m or 1h". */
    public String expected() {
        return expected;
    }

    /** The Java type of values. */
    public Class<T> javaType() {
        return javaType;
    }

    /**
     * Converts a raw value. An instance of the Java type is taken as is; anything else is read from
     * its text.
     *
     * @throws IllegalArgumentException when the value is not of this type
     */
    public T parse(Object raw) {
        Objects.requireNonNull(raw, "raw");
        if ((raw instanceof Collection<?> && javaType != List.class)
                || (raw instanceof Map<?, ?> && javaType != Map.class)) {
            throw new IllegalArgumentException("a list or map where a single value belongs");
        }
        if (javaType.isInstance(raw) && javaType != List.class && javaType != Map.class) {
            return javaType.cast(raw);
        }
        if (javaType == Long.class && (raw instanceof Integer || raw instanceof Short)) {
            return javaType.cast(((Number) raw).longValue());
        }
        if (javaType == Double.class && raw instanceof Number number) {
            return javaType.cast(number.doubleValue());
        }
        T value = parser.apply(raw);
        if (value == null) {
            throw new IllegalArgumentException("no value");
        }
        return value;
    }

    /** Writes a value the way the config file would hold it (passwords as empty text). */
    public String format(T value) {
        return formatter.apply(value);
    }

    @Override
    public String toString() {
        return name;
    }

    private static List<String> parseList(Object raw) {
        if (raw instanceof Collection<?> items) {
            return items.stream().map(item -> Objects.toString(item).strip()).toList();
        }
        return Values.parseList(raw.toString());
    }

    private static Map<String, String> parseMap(Object raw) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a map");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k.toString(), Objects.toString(v)));
        return Collections.unmodifiableMap(copy);
    }
}
