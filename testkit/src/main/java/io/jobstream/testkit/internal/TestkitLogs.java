package io.jobstream.testkit.internal;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Where brokers and servers write their output: {@code target/testkit-logs/<name>-<pid>-<n>/}. */
public final class TestkitLogs {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestkitLogs() {}

    /** {@code target/testkit-logs} under the working directory (the module folder under Maven). */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.dir"), "target", "testkit-logs");
    }

    /** A folder name unique in this JVM and among JVMs running at once. */
    public static Path newDirectory(Path root, String name) {
        return root.resolve(name + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
    }
}
