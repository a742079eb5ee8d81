package io.jobstream.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A packaged jar (the service jar, the dev jar) run as child JVMs the way an operator runs it, for the tests that check
 * the whole system: one-shot commands ({@link #run}) and long-running services ({@link #start}). Each process writes
 * to {@code <logDir>/<name>.out} and {@code .err}; a service is waited for by a line it prints, can be signalled
 * (SIGSTOP, SIGCONT, SIGKILL) and is ended, forcibly, when this handle closes.
 */
public final class JarProcesses implements AutoCloseable {
    /** How long a one-shot command may take before the test fails. */
    public static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);

    private final Path jar;
    private final Path logDir;
    private final List<String> jvmOptions;
    private final List<String> launcher;
    private final List<Service> services = new CopyOnWriteArrayList<>();

    private JarProcesses(Path jar, Path logDir, List<String> jvmOptions, List<String> launcher) {
        this.jar = jar.toAbsolutePath();
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.launcher = List.copyOf(launcher);
    }

    /** Runs {@code jar} with {@code jvmOptions} (e.g. {@code -Xmx256m}), logging under {@code logDir}. */
    public static JarProcesses of(Path jar, Path logDir, String... jvmOptions) {
        if (!Files.isRegularFile(jar)) {
            throw new TestkitException("no jar at " + jar.toAbsolutePath() + " (it is built in the package phase)");
        }
        return new JarProcesses(jar, logDir, List.of(jvmOptions), List.of());
    }

    /**
     * The same jar and options, each JVM started through {@code launcher} — a command that ends by executing what
     * follows it in place, such as {@link NetworkNamespace#launcher()} ({@code ip netns exec <name>}), so that the
     * process's pid is the JVM's and signals reach it. The returned handle has its own services: close it too.
     */
    public JarProcesses launchedThrough(List<String> launcher) {
        return new JarProcesses(jar, logDir, jvmOptions, launcher);
    }

    /** What a one-shot command did. */
    public record Run(int exit, String out, String err) {
        /** Exit code and both streams, for an assertion's description. */
        public String text() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs {@code jobstream <args>} to its end (at most {@link #COMMAND_LIMIT}). */
    public Run run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(logDir, args.length > 0 ? args[0] : "run", ".out");
        Path err = Files.createTempFile(logDir, args.length > 0 ? args[0] : "run", ".err");
        Process process = builder(Map.of(), args)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("jobstream " + String.join(" ", args) + " did not end within " + COMMAND_LIMIT);
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Starts {@code jobstream <args>} as the service {@code name}, with {@code env} added to this environment. */
    public Service start(String name, Map<String, String> env, String... args) throws IOException {
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        Process process = builder(env, args)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        Service service = new Service(name, process, out, err);
        services.add(service);
        return service;
    }

    private ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return builder;
    }

    /** Ends every service still running the way an orchestrator does: SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        for (Service service : services) {
            service.process.destroy();
        }
        for (Service service : services) {
            if (!service.process.waitFor(30, TimeUnit.SECONDS)) {
                service.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Ends every service at once with SIGKILL (which ends a SIGSTOPped process too), waiting for each. */
    public void killAll() throws InterruptedException {
        for (Service service : services) {
            service.process.destroyForcibly();
        }
        for (Service service : services) {
            service.process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A running {@code jobstream} service process. */
    public static final class Service {
        private final String name;
        private final Process process;
        private final Path out;
        private final Path err;

        private Service(String name, Process process, Path out, Path err) {
            this.name = name;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public String name() {
            return name;
        }

        public Process process() {
            return process;
        }

        /** What it printed on stdout so far. */
        public String out() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Both streams so far, for a failure's description. */
        public String log() {
            try {
                return "stdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        /**
         * Waits until stdout contains {@code line} (its start-up banner); fails at once, with its log, if the process
         * exits first. Returns stdout so far.
         */
        public String awaitOutput(String line, Duration atMost) {
            try {
                await(name + " prints '" + line + "'")
                        .atMost(atMost)
                        .pollInterval(Duration.ofMillis(200))
                        .failFast(name + " exited", () -> !process.isAlive())
                        .until(() -> out().contains(line));
            } catch (RuntimeException e) {
                throw new AssertionError(name + " did not start:\n" + log(), e);
            }
            return out();
        }

        /** Sends {@code signal} ({@code STOP}, {@code CONT}, {@code KILL}, ...) with kill(1). */
        public void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new TestkitException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }

        /** SIGKILL, and waits until it is gone. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new TestkitException(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        }
    }
}
