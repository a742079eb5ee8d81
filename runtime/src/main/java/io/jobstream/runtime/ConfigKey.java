package io.jobstream.runtime;

import io.jobstream.runtime.internal.Names;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One setting: its name ({@code jobstream.<module>.<name>}, kebab-case), type, default (or
 * required), unit, doc and validation. Each module declares its keys as constants in one place
 * and groups them in a {@link ConfigDefinition}; the README's config table is generated from them.
 *
 * <pre>{@code
 * static final ConfigKey<Integer> CONCURRENCY = ConfigKey.intKey("jobstream.worker.concurrency")
 *         .defaultValue(8)
 *         .validator(ConfigValidator.range(1, 10_000))
 *         .unit("jobs")
 *         .doc("Jobs one worker runs at the same time.")
 *         .build();
 * }</pre>
 *
 * <p>A key with no default is required unless built with {@link Builder#optional()}. Every key can
 * also be set by its env var, {@link #envVar()}.
 *
 * @param <T> the Java type of the values
 */
public final class ConfigKey<T> {
    private final String name;
    private final ConfigType<T> type;
    private final T defaultValue;
    private final boolean required;
    private final String unit;
    private final String doc;
    private final ConfigValidator<? super T> validator;

    private ConfigKey(Builder<T> b) {
        this.name = b.name;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.required = b.defaultValue == null && !b.optional;
        this.unit = b.unit;
        this.doc = b.doc;
        this.validator = b.validator;
    }

    /** A text setting. */
    public static Builder<String> stringKey(String name) {
        return new Builder<>(name, ConfigType.STRING);
    }

    /** A 32-bit integer setting. */
    public static Builder<Integer> intKey(String name) {
        return new Builder<>(name, ConfigType.INT);
    }

    /** A 64-bit integer setting. */
    public static Builder<Long> longKey(String name) {
        return new Builder<>(name, ConfigType.LONG);
    }

    /** A {@code true}/{@code false} setting. */
    public static Builder<Boolean> booleanKey(String name) {
        return new Builder<>(name, ConfigType.BOOLEAN);
    }

    /** A decimal number setting. */
    public static Builder<Double> doubleKey(String name) {
        return new Builder<>(name, ConfigType.DOUBLE);
    }

    /** A duration setting ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}). */
    public static Builder<Duration> durationKey(String name) {
        return new Builder<>(name, ConfigType.DURATION);
    }

    /** A size setting, in bytes ({@code 512KiB}, {@code 1MiB}). */
    public static Builder<Long> sizeKey(String name) {
        return new Builder<>(name, ConfigType.SIZE).unit("bytes");
    }

    /** A list setting (YAML sequence or comma-separated). */
    public static Builder<List<String>> listKey(String name) {
        return new Builder<>(name, ConfigType.LIST);
    }

    /** One constant of {@code type}. */
    public static <E extends Enum<E>> Builder<E> enumKey(String name, Class<E> type) {
        return new Builder<>(name, ConfigType.enumOf(type));
    }

    /** A secret; masked wherever it is shown. */
    public static Builder<Password> passwordKey(String name) {
        return new Builder<>(name, ConfigType.PASSWORD);
    }

    /**
     * Free-form settings under the prefix {@code name}: {@code <name>.<anything>: value}. Never
     * required; the default is an empty map.
     */
    public static Builder<Map<String, String>> mapKey(String name) {
        return new Builder<>(name, ConfigType.MAP).defaultValue(Map.of());
    }

    /** The key, e.g. {@code jobstream.worker.concurrency}. */
    public String name() {
        return name;
    }

    /** The env var that sets this key, e.g. {@code JOBSTREAM_WORKER_CONCURRENCY}. */
    public String envVar() {
        return Names.envVar(name);
    }

    /** The value type. */
    public ConfigType<T> type() {
        return type;
    }

    /** The default, if any. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** True when the key has no default and must be set. */
    public boolean required() {
        return required;
    }

    /** The unit of the value in words ({@code bytes}, {@code jobs}), or empty. */
    public String unit() {
        return unit;
    }

    /** What the setting does. */
    public String doc() {
        return doc;
    }

    /** The rule values must satisfy. */
    public ConfigValidator<? super T> validator() {
        return validator;
    }

    /**
     * {@code value}, checked against this key's validator: what a config record's compact constructor calls for each
     * field, so a value set in code fails as one loaded from a file does, naming the key.
     *
     * @throws ConfigException naming the key when {@code value} is null or breaks the validator
     */
    public T check(T value) {
        return checkAs(name, value);
    }

    /**
     * As {@link #check}, reported as {@code name}: for a value that follows this key's rule under another key, such
     * as an entry {@code jobstream.worker.type-timeouts.<type>} checked by {@code jobstream.worker.job-timeout}'s.
     *
     * @throws ConfigException naming {@code name} when {@code value} is null or breaks the validator
     */
    public T checkAs(String name, T value) {
        if (value == null) {
            throw new ConfigException("missing required key " + name + ": set it in the config file or with env var "
                    + Names.envVar(name));
        }
        validator.problem(value).ifPresent(problem -> {
            throw new ConfigException("invalid value '" + describe(value) + "' for " + name + ": " + problem);
        });
        return value;
    }

    /** The default written as it would be in the config file ("30s"), or empty when there is none. */
    public String formattedDefault() {
        return defaultValue == null ? "" : type.format(defaultValue);
    }

    /** Renders a value of this key for logs and messages; passwords are masked. */
    public String describe(Object value) {
        if (type == ConfigType.PASSWORD) {
            return Password.HIDDEN;
        }
        if (type == ConfigType.MAP && value instanceof Map<?, ?> map) {
            Map<String, String> masked = new LinkedHashMap<>();
            map.forEach((k, v) -> masked.put(
                    String.valueOf(k), Names.looksSecret(String.valueOf(k)) ? Password.HIDDEN : String.valueOf(v)));
            return masked.toString();
        }
        return type.javaType().isInstance(value) ? type.format(type.javaType().cast(value)) : String.valueOf(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfigKey<?> that
                && name.equals(that.name)
                && type.name().equals(that.type.name())
                && Objects.equals(defaultValue, that.defaultValue)
                && required == that.required;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * Builds a {@link ConfigKey}.
     *
     * @param <T> the Java type of the values
     */
    public static final class Builder<T> {
        private final String name;
        private final ConfigType<T> type;
        private T defaultValue;
        private boolean optional;
        private String unit = "";
        private String doc = "";
        private ConfigValidator<? super T> validator = value -> Optional.empty();

        private Builder(String name, ConfigType<T> type) {
            Objects.requireNonNull(name, "name");
            if (!Names.KEY.matcher(name).matches()) {
                throw new IllegalArgumentException("config key '" + name
                        + "' must look like jobstream.<module>.<name>: lowercase, kebab-case, dot-separated");
            }
            this.name = name;
            this.type = type;
        }

        /** The value when the key is not set. */
        public Builder<T> defaultValue(T value) {
            this.defaultValue = Objects.requireNonNull(value, "default of " + name);
            return this;
        }

        /** No default, and not required: {@link Config#find} is empty when the key is not set. */
        public Builder<T> optional() {
            this.optional = true;
            return this;
        }

        /** The unit, in words ({@code bytes}, {@code jobs}, {@code requests/s}). */
        public Builder<T> unit(String unit) {
            this.unit = Objects.requireNonNull(unit, "unit");
            return this;
        }

        /** What the setting does, one or two sentences. */
        public Builder<T> doc(String doc) {
            this.doc = Objects.requireNonNull(doc, "doc");
            return this;
        }

        /** A rule the value must satisfy. */
        public Builder<T> validator(ConfigValidator<? super T> validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /**
         * The key.
         *
         * @throws IllegalArgumentException when the default breaks the validator
         */
        public ConfigKey<T> build() {
            if (defaultValue != null) {
                validator.problem(defaultValue).ifPresent(problem -> {
                    throw new IllegalArgumentException("default of " + name + " " + problem);
                });
            }
            return new ConfigKey<>(this);
        }
    }
}
