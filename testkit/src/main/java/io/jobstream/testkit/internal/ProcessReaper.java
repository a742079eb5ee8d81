package io.jobstream.testkit.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the testkit starts is registered here; one JVM shutdown hook kills the ones still
 * alive, so a test JVM that exits without closing its clusters leaves nothing behind.
 */
final class ProcessReaper {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::killAll, "jobstream-testkit-reaper"));
    }

    private ProcessReaper() {}

    static void register(Process process) {
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
    }

    private static void killAll() {
        List<Process> live = List.copyOf(LIVE);
        live.forEach(Process::destroyForcibly);
        // Wait (briefly) so the JVM reaps them: no zombies, ports free when it exits.
        for (Process process : live) {
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
