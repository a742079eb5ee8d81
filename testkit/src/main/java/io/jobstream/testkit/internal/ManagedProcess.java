package io.jobstream.testkit.internal;

import io.jobstream.testkit.TestkitException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One child process whose stdout and stderr are appended to a log file, with POSIX signals for fault
 * injection. Registered with the {@link ProcessReaper} so it never outlives the test JVM.
 */
public final class ManagedProcess {

    private final String name;
    private final Process process;
    private final Path logFile;
    private volatile boolean paused;

    private ManagedProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command}, appending its output to {@code logFile} after a header line.
     *
     * @throws TestkitException when the process cannot be started
     */
    public static ManagedProcess start(String name, List<String> command, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    "==== jobstream-testkit: starting " + name + " at " + Instant.now() + "\n==== "
                            + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()))
                    .start();
            ProcessReaper.register(process);
            process.getOutputStream().close();
            return new ManagedProcess(name, process, logFile);
        } catch (IOException e) {
            throw new TestkitException("Could not start " + name + " (" + command.getFirst() + "): " + e, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has ended. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Waits for the process to end; true when it did within {@code timeout}. */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while waiting for " + name + " to exit", e);
        }
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        if (!awaitExit(Duration.ofSeconds(30))) {
            throw new TestkitException(name + " (pid " + pid() + ") survived SIGKILL for 30 s");
        }
        paused = false;
    }

    /** SIGTERM (after SIGCONT when paused), waits up to {@code grace}, then SIGKILL. */
    public void terminate(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        if (!awaitExit(grace)) {
            kill();
        }
    }

    /** SIGSTOP: the process stays alive but does nothing, as if its machine hung. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    private void signal(String signal) {
        if (!process.isAlive()) {
            throw new TestkitException("Cannot send SIG" + signal + " to " + name + ": it is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new TestkitException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new TestkitException("Cannot run kill -" + signal + " for " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("Interrupted while signalling " + name, e);
        }
    }

    /** A description for error messages: exit code, the log's path and its last lines. */
    public String describe() {
        OptionalInt exit = exitCode();
        return name + " (pid " + pid() + ", " + (exit.isPresent() ? "exited with code " + exit.getAsInt() : "running")
                + "); log: " + logFile.toAbsolutePath() + "\n---- last lines of the log ----\n" + tail(logFile, 40);
    }

    /** The last {@code lines} lines of a text file (reads at most its last 64 KiB). */
    public static String tail(Path file, int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[size];
            raf.seek(length - size);
            raf.readFully(bytes);
            List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        } catch (UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getCause() + ")";
        }
    }
}
