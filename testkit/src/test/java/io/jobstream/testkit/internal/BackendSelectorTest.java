package io.jobstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobstream.testkit.Backend;
import io.jobstream.testkit.TestkitException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {

    private final AtomicInteger dockerProbes = new AtomicInteger();

    private BackendSelector selector(Map<String, String> properties, Map<String, String> environment, boolean docker) {
        return new BackendSelector(properties::get, environment::get, () -> {
            dockerProbes.incrementAndGet();
            return docker;
        });
    }

    @Test
    void choosesProcessesWhenNothingIsAskedForWithoutProbingDocker() {
        // Given no setting, and a Docker engine that would be reachable
        BackendSelector selector = selector(Map.of(), Map.of(), true);

        // When choosing automatically
        Backend backend = selector.select(null);

        // Then the process backend is the default, and Docker was not even probed
        assertThat(backend).isEqualTo(Backend.PROCESS);
        assertThat(dockerProbes).hasValue(0);
    }

    @Test
    void autoChoicePicksProcessesWhenContainersAreAskedForButDockerIsUnavailable() {
        // Given the property asks for containers, but no Docker engine is reachable
        BackendSelector selector = selector(Map.of(Backend.PROPERTY, "containers"), Map.of(), false);

        // When choosing automatically
        Backend backend = selector.select(null);

        // Then the choice falls back to processes
        assertThat(backend).isEqualTo(Backend.PROCESS);
        assertThat(dockerProbes).hasValue(1);
    }

    @Test
    void autoChoicePicksContainersWhenAskedForAndDockerIsReachable() {
        // Given the environment variable asks for containers and Docker is reachable
        BackendSelector selector = selector(Map.of(), Map.of(Backend.ENVIRONMENT_VARIABLE, "CONTAINERS"), true);

        // When / Then
        assertThat(selector.select(null)).isEqualTo(Backend.CONTAINERS);
    }

    @Test
    void systemPropertyWinsOverEnvironmentVariable() {
        // Given the property says process and the environment says containers
        BackendSelector selector =
                selector(Map.of(Backend.PROPERTY, "process"), Map.of(Backend.ENVIRONMENT_VARIABLE, "containers"), true);

        // When / Then
        assertThat(selector.select(null)).isEqualTo(Backend.PROCESS);
    }

    @Test
    void forcingContainersWithoutDockerFailsNamingTheWayOut() {
        // Given no Docker engine
        BackendSelector selector = selector(Map.of(), Map.of(), false);

        // When / Then forcing containers fails with a clear message
        assertThatThrownBy(() -> selector.select(Backend.CONTAINERS))
                .isInstanceOf(TestkitException.class)
                .hasMessageContaining("Backend CONTAINERS")
                .hasMessageContaining("no Docker engine is reachable")
                .hasMessageContaining("Backend.PROCESS");
    }

    @Test
    void forcingProcessesIgnoresTheSetting() {
        // Given the setting asks for containers and Docker is reachable
        BackendSelector selector = selector(Map.of(Backend.PROPERTY, "containers"), Map.of(), true);

        // When / Then an explicit PROCESS wins
        assertThat(selector.select(Backend.PROCESS)).isEqualTo(Backend.PROCESS);
        assertThat(dockerProbes).hasValue(0);
    }

    @Test
    void unknownSettingFailsNamingTheKey() {
        // Given a typo in the property
        BackendSelector selector = selector(Map.of(Backend.PROPERTY, "contaners"), Map.of(), true);

        // When / Then
        assertThatThrownBy(() -> selector.select(null))
                .isInstanceOf(TestkitException.class)
                .hasMessage("jobstream.testkit.backend must be 'process' or 'containers' (was 'contaners')");
    }

    @Test
    void realEnvironmentWithoutSettingChoosesProcesses() {
        // Given the build sets no backend property (CI and developers run the process backend)
        // When choosing from the real environment
        Backend backend = BackendSelector.fromEnvironment().select(null);

        // Then
        assertThat(System.getProperty(Backend.PROPERTY)).isNull();
        assertThat(backend).isEqualTo(Backend.PROCESS);
    }
}
