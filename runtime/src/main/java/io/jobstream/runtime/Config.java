package io.jobstream.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A loaded, validated, immutable configuration: one typed value per key of its
 * {@link ConfigDefinition}. Made by {@link ConfigLoader}; safe to share between threads.
 */
public final class Config {
    private final ConfigDefinition definition;
    private final Map<String, Object> values;
    private final Map<String, String> sources;

    Config(ConfigDefinition definition, Map<String, Object> values, Map<String, String> sources) {
        this.definition = definition;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /**
     * The value of {@code key}: the one set, else its default.
     *
     * @throws IllegalArgumentException when {@code key} is not part of this config's definition
     * @throws ConfigException when an {@link ConfigKey.Builder#optional() optional} key is not set
     */
    public <T> T get(ConfigKey<T> key) {
        return find(key)
                .orElseThrow(() -> new ConfigException(
                        key.name() + " is not set (set it in the config file or with env var " + key.envVar() + ")"));
    }

    /**
     * The value of {@code key}, or empty when an optional key is not set.
     *
     * @throws IllegalArgumentException when {@code key} is not part of this config's definition
     */
    public <T> Optional<T> find(ConfigKey<T> key) {
        if (!definition.contains(key)) {
            throw new IllegalArgumentException("config key " + key.name() + " is not part of this configuration's"
                    + " definition; add its module's ConfigDefinition when loading");
        }
        return Optional.ofNullable(values.get(key.name()))
                .map(value -> key.type().javaType().cast(value));
    }

    /**
     * Where the value of {@code key} came from: {@code "default"}, {@code "file <path>"},
     * {@code "env <VAR>"}, {@code "override"}, or {@code "unset"}.
     */
    public String sourceOf(ConfigKey<?> key) {
        return sources.getOrDefault(key.name(), "unset");
    }

    /** The keys this config was loaded against. */
    public ConfigDefinition definition() {
        return definition;
    }

    /** One {@code key=value (source)} per line, passwords masked: safe to log. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner("\n");
        for (ConfigKey<?> key : definition.keys()) {
            Object value = values.get(key.name());
            if (value != null) {
                out.add(key.name() + "=" + key.describe(value) + " (" + sourceOf(key) + ")");
            }
        }
        return out.toString();
    }
}
