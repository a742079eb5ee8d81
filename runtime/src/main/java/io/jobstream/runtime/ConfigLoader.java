package io.jobstream.runtime;

import io.jobstream.runtime.internal.Names;
import io.jobstream.runtime.internal.Substitution;
import io.jobstream.runtime.internal.YamlFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a {@link Config} for a {@link ConfigDefinition} from, lowest precedence first:
 *
 * <ol>
 *   <li>each key's default;
 *   <li>a YAML file (nested maps or dotted keys), with {@code ${VAR}} / {@code ${VAR:-default}}
 *       substituted from the environment in its values;
 *   <li>env vars: key {@code jobstream.worker.concurrency} is set by {@code JOBSTREAM_WORKER_CONCURRENCY};
 *       a map key's entries by {@code <MAP_VAR>_<NAME>} with {@code _} read as {@code .};
 *   <li>explicit overrides (command-line flags), by key name.
 * </ol>
 *
 * <p>Every problem is collected and reported in one {@link ConfigException}: unknown
 * {@code jobstream.*} keys in the file or the overrides (with the closest known key), required keys
 * that are not set (with their env var), unresolvable {@code ${VAR}} references (naming the variable
 * and the key) and values that do not parse or validate (naming key, value and expected type;
 * passwords are never shown). Top-level file entries outside {@code jobstream} are ignored with a
 * warning (room for YAML anchors); unknown {@code JOBSTREAM_*} env vars only warn, since one
 * environment often serves several services.
 *
 * <p>Immutable: each {@code with*} returns a new loader. The environment is a plain map so tests
 * never touch the real one; it defaults to {@link System#getenv()}.
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String OVERRIDE = "override";

    private final ConfigDefinition definition;
    private final Optional<Path> file;
    private final Optional<String> yaml;
    private final Map<String, String> environment;
    private final Map<String, ?> overrides;

    private ConfigLoader(
            ConfigDefinition definition,
            Optional<Path> file,
            Optional<String> yaml,
            Map<String, String> environment,
            Map<String, ?> overrides) {
        this.definition = definition;
        this.file = file;
        this.yaml = yaml;
        this.environment = environment;
        this.overrides = overrides;
    }

    /** A loader for {@code definition} reading the process environment, with no file and no overrides. */
    public static ConfigLoader forDefinition(ConfigDefinition definition) {
        return new ConfigLoader(
                Objects.requireNonNull(definition, "definition"),
                Optional.empty(),
                Optional.empty(),
                System.getenv(),
                Map.of());
    }

    /** Reads settings from the YAML file at {@code path} (replacing any earlier file or YAML text). */
    public ConfigLoader withFile(Path path) {
        return new ConfigLoader(definition, Optional.of(path), Optional.empty(), environment, overrides);
    }

    /** Reads settings from YAML text (replacing any earlier file). */
    public ConfigLoader withYaml(String yamlText) {
        return new ConfigLoader(definition, Optional.empty(), Optional.of(yamlText), environment, overrides);
    }

    /** Uses {@code env} instead of the process environment, for env vars and {@code ${VAR}} substitution. */
    public ConfigLoader withEnvironment(Map<String, String> env) {
        return new ConfigLoader(definition, file, yaml, Map.copyOf(env), overrides);
    }

    /**
     * Values that win over the file and the environment, by key name ({@code jobstream.worker.concurrency
     * → 16}); values may be text or already typed ({@code Duration}, {@code Integer}, {@code List}).
     */
    public ConfigLoader withOverrides(Map<String, ?> values) {
        return new ConfigLoader(definition, file, yaml, environment, Map.copyOf(values));
    }

    /**
     * Loads and validates.
     *
     * @throws ConfigException listing every problem found
     */
    public Config load() {
        List<String> problems = new ArrayList<>();
        Map<String, Sourced> fileValues = readFile(problems);
        Map<String, Sourced> overrideValues = new LinkedHashMap<>();
        overrides.forEach((k, v) -> overrideValues.put(k, new Sourced(v, OVERRIDE)));
        checkKnown(fileValues, problems);
        checkKnown(overrideValues, problems);
        checkRenamedEnvVars(problems);
        warnAboutUnknownEnvVars();

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (ConfigKey<?> key : definition.keys()) {
            if (key.type() == ConfigType.MAP) {
                resolveMap(key, fileValues, overrideValues, values, sources, problems);
            } else {
                resolve(key, fileValues, overrideValues, values, sources, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(definition, values, sources);
    }

    private record Sourced(Object value, String source) {}

    private Map<String, Sourced> readFile(List<String> problems) {
        String text;
        String source;
        if (file.isPresent()) {
            source = "file " + file.get();
            try {
                text = Files.readString(file.get(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file.get() + ": " + e, e);
            }
        } else if (yaml.isPresent()) {
            source = "the YAML text";
            text = yaml.get();
        } else {
            return Map.of();
        }
        Map<String, Sourced> out = new LinkedHashMap<>();
        Set<String> ignored = new HashSet<>();
        YamlFiles.flatten(text, source, problems).forEach((key, value) -> {
            if (key.equals("jobstream") || key.startsWith(Names.ROOT)) {
                out.put(key, new Sourced(value, source));
            } else {
                ignored.add(key.contains(".") ? key.substring(0, key.indexOf('.')) : key);
            }
        });
        if (!ignored.isEmpty()) {
            LOG.warn("config ignored_top_level_keys={} source=\"{}\" reason=not_under_jobstream", ignored, source);
        }
        return out;
    }

    /**
     * Keys that were renamed, old name to new. Setting an old one is an error naming the new one, in a file and in
     * the environment alike: an unknown env var is otherwise only logged, and a role would run on the default.
     */
    static final Map<String, String> RENAMED = Map.of(
            "jobstream.worker.delay-tiers", TopicSettings.DELAY_TIERS.name(),
            "jobstream.publisher.delay-tiers", TopicSettings.DELAY_TIERS.name(),
            "jobstream.dlq.delay-tiers", TopicSettings.DELAY_TIERS.name());

    private static String renamed(String oldName) {
        String now = RENAMED.get(oldName);
        return oldName + " was renamed to " + now + " (env " + Names.envVar(now) + "): set that instead";
    }

    private void checkRenamedEnvVars(List<String> problems) {
        RENAMED.keySet().stream()
                .filter(old -> environment.containsKey(Names.envVar(old)))
                .sorted()
                .forEach(old -> problems.add("env " + Names.envVar(old) + ": " + renamed(old)));
    }

    private void checkKnown(Map<String, Sourced> raw, List<String> problems) {
        List<String> known = definition.keys().stream().map(ConfigKey::name).toList();
        for (Map.Entry<String, Sourced> entry : raw.entrySet()) {
            String name = entry.getKey();
            if (definition.find(name).isPresent() || mapKeyOf(name).isPresent()) {
                continue;
            }
            String where = entry.getValue().source().equals(OVERRIDE)
                    ? "the overrides"
                    : entry.getValue().source();
            if (RENAMED.containsKey(name)) {
                problems.add(renamed(name) + " (in " + where + ")");
                continue;
            }
            String suggestion = Names.closest(name, known)
                    .map(k -> "; did you mean " + k + "?")
                    .orElse("");
            problems.add("unknown key " + name + " in " + where + suggestion);
        }
    }

    private Optional<ConfigKey<?>> mapKeyOf(String name) {
        for (ConfigKey<?> key : definition.keys()) {
            if (key.type() == ConfigType.MAP && name.startsWith(key.name() + ".")) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    private void warnAboutUnknownEnvVars() {
        Set<String> knownVars = new HashSet<>();
        List<String> mapPrefixes = new ArrayList<>();
        for (ConfigKey<?> key : definition.keys()) {
            knownVars.add(key.envVar());
            if (key.type() == ConfigType.MAP) {
                mapPrefixes.add(key.envVar() + "_");
            }
        }
        for (String var : environment.keySet()) {
            if (var.startsWith("JOBSTREAM_")
                    && !knownVars.contains(var)
                    && mapPrefixes.stream().noneMatch(var::startsWith)) {
                LOG.warn(
                        "config unknown_env_var={} closest={} action=ignored",
                        var,
                        Names.closest(var, knownVars).orElse("none"));
            }
        }
    }

    private void resolve(
            ConfigKey<?> key,
            Map<String, Sourced> fileValues,
            Map<String, Sourced> overrideValues,
            Map<String, Object> values,
            Map<String, String> sources,
            List<String> problems) {
        Sourced chosen = overrideValues.get(key.name());
        if (chosen == null && environment.containsKey(key.envVar())) {
            chosen = new Sourced(environment.get(key.envVar()), "env " + key.envVar());
        }
        if (chosen == null && key.type() == ConfigType.PASSWORD && environment.containsKey(key.envVar() + "_FILE")) {
            // a secret mounted as a file (Docker/Kubernetes secrets): <ENV>_FILE names it
            String path = environment.get(key.envVar() + "_FILE");
            try {
                String secret = Files.readString(Path.of(path)).strip();
                chosen = new Sourced(secret, "file " + path + " (env " + key.envVar() + "_FILE)");
            } catch (java.io.IOException | RuntimeException e) {
                problems.add("cannot read " + key.name() + " from the file " + path + " named by env " + key.envVar()
                        + "_FILE: " + e.getClass().getSimpleName());
                return;
            }
        }
        if (chosen == null) {
            Sourced fromFile = fileValues.get(key.name());
            if (fromFile != null) {
                Optional<Object> substituted = substitute(key, fromFile, problems);
                if (substituted.isEmpty()) {
                    return;
                }
                chosen = new Sourced(substituted.get(), fromFile.source());
            }
        }
        if (chosen == null) {
            if (key.defaultValue().isPresent()) {
                values.put(key.name(), key.defaultValue().get());
                sources.put(key.name(), "default");
            } else if (key.required()) {
                problems.add("missing required key " + key.name() + ": set it in the config file or with env var "
                        + key.envVar());
            }
            return;
        }
        Optional<?> parsed = parse(key, chosen, problems);
        if (parsed.isPresent()) {
            values.put(key.name(), parsed.get());
            sources.put(key.name(), chosen.source());
        }
    }

    private void resolveMap(
            ConfigKey<?> key,
            Map<String, Sourced> fileValues,
            Map<String, Sourced> overrideValues,
            Map<String, Object> values,
            Map<String, String> sources,
            List<String> problems) {
        String prefix = key.name() + ".";
        Sourced scalar = fileValues.get(key.name());
        if (scalar != null) {
            problems.add("invalid value for " + key.name() + " in " + scalar.source() + ": expected a mapping of"
                    + " settings (" + key.name() + ".<name>: <value>)");
        }
        Map<String, String> merged = new LinkedHashMap<>();
        Set<String> usedSources = new LinkedHashSet<>();
        for (Map.Entry<String, Sourced> e : fileValues.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                Optional<Object> value = substitute(key, e.getValue(), problems);
                value.ifPresent(v -> merged.put(e.getKey().substring(prefix.length()), asText(v)));
                usedSources.add(e.getValue().source());
            }
        }
        String envPrefix = key.envVar() + "_";
        environment.forEach((var, value) -> {
            if (var.startsWith(envPrefix) && var.length() > envPrefix.length()) {
                merged.put(
                        var.substring(envPrefix.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.'),
                        value);
                usedSources.add("env " + envPrefix + "*");
            }
        });
        Sourced whole = overrideValues.get(key.name());
        if (whole != null) {
            if (whole.value() instanceof Map<?, ?> map) {
                map.forEach((k, v) -> merged.put(String.valueOf(k), String.valueOf(v)));
                usedSources.add(OVERRIDE);
            } else {
                problems.add("invalid value for " + key.name() + " in the overrides: expected "
                        + key.type().expected());
            }
        }
        for (Map.Entry<String, Sourced> e : overrideValues.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                merged.put(
                        e.getKey().substring(prefix.length()),
                        asText(e.getValue().value()));
                usedSources.add(OVERRIDE);
            }
        }
        values.put(key.name(), Collections.unmodifiableMap(merged));
        sources.put(key.name(), usedSources.isEmpty() ? "default" : String.join(", ", usedSources));
    }

    private static String asText(Object value) {
        return value instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
    }

    private Optional<Object> substitute(ConfigKey<?> key, Sourced raw, List<String> problems) {
        if (raw.value() instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                Optional<String> resolved = substituteText(key, String.valueOf(item), raw.source(), problems);
                if (resolved.isEmpty()) {
                    return Optional.empty();
                }
                items.add(resolved.get());
            }
            return Optional.of(List.copyOf(items));
        }
        return substituteText(key, String.valueOf(raw.value()), raw.source(), problems)
                .map(s -> s);
    }

    private Optional<String> substituteText(ConfigKey<?> key, String text, String source, List<String> problems) {
        return switch (Substitution.resolve(text, environment)) {
            case Substitution.Result.Resolved r -> Optional.of(r.value());
            case Substitution.Result.Unresolved u -> {
                problems.add("the value of " + key.name() + " in " + source + " " + u.problem());
                yield Optional.empty();
            }
        };
    }

    private static <T> Optional<T> parse(ConfigKey<T> key, Sourced raw, List<String> problems) {
        T value;
        try {
            value = key.type().parse(raw.value());
        } catch (RuntimeException e) {
            problems.add("invalid value " + shown(key, raw.value()) + " for " + key.name() + " (from " + raw.source()
                    + "): expected " + key.type().expected());
            return Optional.empty();
        }
        Optional<String> problem = key.validator().problem(value);
        if (problem.isPresent()) {
            problems.add("invalid value " + shown(key, raw.value()) + " for " + key.name() + " (from " + raw.source()
                    + "): " + problem.get());
            return Optional.empty();
        }
        return Optional.of(value);
    }

    private static String shown(ConfigKey<?> key, Object raw) {
        return key.type() == ConfigType.PASSWORD ? Password.HIDDEN : "'" + asText(raw) + "'";
    }
}
