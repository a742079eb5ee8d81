package io.jobstream.testkit.internal;

import org.testcontainers.DockerClientFactory;

/** Asks Testcontainers whether a Docker engine is reachable; kept apart so the process backend never loads it. */
final class DockerProbe {

    private DockerProbe() {}

    static boolean isDockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
