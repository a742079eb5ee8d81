package io.jobstream.testkit.internal;

import io.jobstream.testkit.Backend;
import io.jobstream.testkit.TestkitException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses a {@link Backend}: the process backend unless containers are asked for and Docker is reachable. */
public final class BackendSelector {

    private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);

    private final Function<String, String> systemProperties;
    private final Function<String, String> environment;
    private final BooleanSupplier dockerAvailable;

    public BackendSelector(
            Function<String, String> systemProperties,
            Function<String, String> environment,
            BooleanSupplier dockerAvailable) {
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.dockerAvailable = Objects.requireNonNull(dockerAvailable, "dockerAvailable");
    }

    /** Reads the real system properties and environment, and probes Docker through Testcontainers. */
    public static BackendSelector fromEnvironment() {
        return new BackendSelector(System::getProperty, System::getenv, DockerProbe::isDockerAvailable);
    }

    /**
     * @param forced the backend a builder asked for explicitly, or {@code null} for the automatic choice
     * @return the backend to use
     * @throws TestkitException when {@link Backend#CONTAINERS} is forced but no Docker engine is reachable, or
     *     when the setting holds an unknown value
     */
    public Backend select(Backend forced) {
        if (forced == Backend.PROCESS) {
            return Backend.PROCESS;
        }
        if (forced == Backend.CONTAINERS) {
            if (!dockerAvailable.getAsBoolean()) {
                throw new TestkitException("Backend CONTAINERS was asked for, but no Docker engine is reachable"
                        + " (Testcontainers found none). Use Backend.PROCESS (the default), or run where Docker is"
                        + " available.");
            }
            return Backend.CONTAINERS;
        }
        String source = Backend.PROPERTY;
        String requested = systemProperties.apply(Backend.PROPERTY);
        if (requested == null || requested.isBlank()) {
            source = Backend.ENVIRONMENT_VARIABLE;
            requested = environment.apply(Backend.ENVIRONMENT_VARIABLE);
        }
        if (requested == null || requested.isBlank()) {
            return Backend.PROCESS;
        }
        switch (requested.trim().toLowerCase(Locale.ROOT)) {
            case "process", "auto" -> {
                return Backend.PROCESS;
            }
            case "containers" -> {
                if (dockerAvailable.getAsBoolean()) {
                    return Backend.CONTAINERS;
                }
                LOG.warn("testkit backend=process reason=\"{}=containers but no Docker engine is reachable\"", source);
                return Backend.PROCESS;
            }
            default ->
                throw new TestkitException(
                        source + " must be 'process' or 'containers' (was '" + requested.trim() + "')");
        }
    }
}
