package io.jobstream.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The set of keys a process understands, in declaration order. Each module declares one (e.g.
 * {@code RuntimeConfig.DEFINITION}, {@code KafkaSettings.DEFINITION}); a process combines the
 * definitions of every module it runs and loads its {@link Config} against the result, so any other
 * {@code jobstream.*} key is an error.
 *
 * <p>Immutable. Construction rejects two different keys with the same name, two keys with the same
 * env var, and a key nested under a map key's prefix.
 */
public final class ConfigDefinition {
    private final Map<String, ConfigKey<?>> keys;

    private ConfigDefinition(Map<String, ConfigKey<?>> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    /** A definition of {@code keys}. */
    public static ConfigDefinition of(ConfigKey<?>... keys) {
        return of(List.of(keys));
    }

    /** A definition of {@code keys}. */
    public static ConfigDefinition of(List<? extends ConfigKey<?>> keys) {
        Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
        Map<String, String> byEnvVar = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            ConfigKey<?> existing = byName.get(key.name());
            if (existing != null) {
                if (!existing.equals(key)) {
                    throw new IllegalArgumentException("config key " + key.name() + " is defined twice, differently");
                }
                continue;
            }
            String clash = byEnvVar.putIfAbsent(key.envVar(), key.name());
            if (clash != null) {
                throw new IllegalArgumentException("config keys " + clash + " and " + key.name()
                        + " would both be set by env var " + key.envVar());
            }
            byName.put(key.name(), key);
        }
        for (ConfigKey<?> map : byName.values()) {
            if (map.type() == ConfigType.MAP) {
                for (String name : byName.keySet()) {
                    if (name.startsWith(map.name() + ".")) {
                        throw new IllegalArgumentException(
                                "config key " + name + " lies under the map key " + map.name());
                    }
                }
            }
        }
        return new ConfigDefinition(byName);
    }

    /** All keys of all {@code definitions}. */
    public static ConfigDefinition combine(ConfigDefinition... definitions) {
        List<ConfigKey<?>> all = new ArrayList<>();
        for (ConfigDefinition d : definitions) {
            all.addAll(d.keys());
        }
        return of(all);
    }

    /** This definition's keys followed by {@code other}'s. */
    public ConfigDefinition and(ConfigDefinition other) {
        return combine(this, other);
    }

    /** The keys, in declaration order. */
    public List<ConfigKey<?>> keys() {
        return List.copyOf(keys.values());
    }

    /** The key named {@code name}. */
    public Optional<ConfigKey<?>> find(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    /** True when {@code key} (this exact definition of it) is part of this definition. */
    public boolean contains(ConfigKey<?> key) {
        ConfigKey<?> mine = keys.get(key.name());
        return mine != null && mine.equals(key);
    }

    @Override
    public String toString() {
        return "ConfigDefinition" + keys.keySet();
    }
}
