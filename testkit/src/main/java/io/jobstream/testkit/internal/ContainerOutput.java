package io.jobstream.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.testcontainers.containers.output.OutputFrame;

/** Appends a container's stdout and stderr to a log file, like the process backend does. */
final class ContainerOutput implements Consumer<OutputFrame> {

    private final Path logFile;

    ContainerOutput(Path logFile) {
        this.logFile = logFile;
    }

    @Override
    public synchronized void accept(OutputFrame frame) {
        byte[] bytes = frame.getBytes();
        if (bytes == null) {
            return;
        }
        try {
            Files.createDirectories(logFile.getParent());
            Files.write(logFile, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // A log line lost is not worth failing a test over.
        }
    }
}
