package io.jobstream.testkit;

import io.jobstream.testkit.internal.BackendSelector;

/**
 * How the testkit runs Kafka brokers and Redis servers.
 *
 * <p>{@link #PROCESS} is the default everywhere. {@link #CONTAINERS} is chosen automatically only when
 * the system property {@value #PROPERTY} (or the environment variable {@value #ENVIRONMENT_VARIABLE})
 * is {@code containers} <em>and</em> a Docker engine is reachable; otherwise the choice falls back to
 * {@link #PROCESS}. Asking for {@link #CONTAINERS} explicitly on a builder without a Docker engine fails.
 */
public enum Backend {
    /** Child processes of the test JVM: Kafka broker JVMs from the Kafka server jars, a {@code redis-server} binary. */
    PROCESS,
    /** Docker containers through Testcontainers ({@code apache/kafka}, Dragonfly). */
    CONTAINERS;

    /** The system property that asks for a backend: {@code process} or {@code containers}. */
    public static final String PROPERTY = "jobstream.testkit.backend";

    /** The environment variable read when {@link #PROPERTY} is not set. */
    public static final String ENVIRONMENT_VARIABLE = "JOBSTREAM_TESTKIT_BACKEND";

    /**
     * The backend chosen from {@link #PROPERTY}/{@link #ENVIRONMENT_VARIABLE} and whether a Docker engine
     * is reachable (probed only when containers are asked for).
     *
     * @throws TestkitException when the property holds an unknown value
     */
    public static Backend auto() {
        return BackendSelector.fromEnvironment().select(null);
    }
}
