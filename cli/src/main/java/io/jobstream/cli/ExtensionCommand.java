package io.jobstream.cli;

/**
 * A {@code jobstream} command that ships in its own artifact, not in the service jar: {@code jobstream dev} (the
 * embedded broker, {@code dev/target/jobstream-dev.jar}) and {@code jobstream bench} (the benchmark harness,
 * {@code bench/target/jobstream-bench.jar}). Each such jar carries the whole command line plus its command, found
 * with {@link java.util.ServiceLoader} ({@code META-INF/services/io.jobstream.cli.ExtensionCommand}); the service jar
 * has none, so the image carries no broker and no benchmark.
 *
 * <p>An implementation is a picocli {@code @Command} class with a public no-argument constructor.
 */
public interface ExtensionCommand {
    /**
     * Where the command sits in {@code jobstream --help}: before the service commands (as {@code dev}, the first
     * thing a newcomer runs) or after them.
     */
    default boolean listedFirst() {
        return false;
    }
}
